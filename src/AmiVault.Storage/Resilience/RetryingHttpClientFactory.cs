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
