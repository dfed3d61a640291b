using AmiVault.Accounts;
using AmiVault.Client;

namespace AmiVault.Tests.Support;

/// <summary>Our own EBS client pointed at a test server.</summary>
internal static class EbsClients
{
    public static EbsClient Ebs(this TestServer server, Account? account = null, string? secretOverride = null, HttpMessageHandler? handler = null, int maxAttempts = 1) =>
        At(server.Endpoint, server.Region, account, secretOverride, handler, maxAttempts);

    /// <summary>The same at any endpoint (a server in a process of its own).</summary>
    public static EbsClient At(Uri endpoint, string region, Account? account = null, string? secretOverride = null, HttpMessageHandler? handler = null, int maxAttempts = 1) =>
        new(new EbsClientOptions
        {
            Endpoint = endpoint,
            AccessKeyId = (account ?? TestServer.Alice).AccessKeyId,
            SecretAccessKey = secretOverride ?? (account ?? TestServer.Alice).SecretAccessKey,
            Region = region,
            MaxAttempts = maxAttempts,
            AttemptTimeout = TimeSpan.FromSeconds(30),
        }, handler);
}
