using System.Net;
using Amazon.Runtime;

namespace AmiVault.Resilience;

/// <summary>
/// The AWS SDK's HTTP clients, built so that <see cref="RetryAfterHandler"/> sees every answer and nothing but the
/// <see cref="ResiliencePolicy"/> times a request out. One pool per SDK client, disposed with it (a connection that a
/// server left in a bad state after an early error then cannot harm another client's requests).
/// </summary>
internal sealed class RetryingHttpClientFactory : HttpClientFactory
{
    /// <summary>
    /// Hands an SDK client's retrying over to the <see cref="ResiliencePolicy"/> its calls run under: none of the
    /// SDK's own (MaxErrorRetry; MaxStaleConnectionRetries, which AWSSDK 4.1 applies outside MaxErrorRetry to a
    /// request that died on a reset connection, rewinding its body itself), and HTTP clients of this factory, one pool
    /// per SDK client.
    /// </summary>
    public static T HandOver<T>(T config)
        where T : ClientConfig
    {
        config.MaxErrorRetry = 0;
        config.MaxStaleConnectionRetries = 0;
        config.CacheHttpClient = false;
        config.HttpClientFactory = new RetryingHttpClientFactory();
        return config;
    }

    public override HttpClient CreateHttpClient(IClientConfig clientConfig)
    {
        var sockets = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = clientConfig.MaxConnectionsPerServer ?? int.MaxValue,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        return new HttpClient(new RetryAfterHandler(sockets)) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => true;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

    /// <summary>Null: cached per SDK client, not shared between clients.</summary>
    public override string? GetConfigUniqueString(IClientConfig clientConfig) => null;
}
