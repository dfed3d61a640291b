using AmiVault.Accounts;
using AmiVault.Client;

namespace AmiVault.Tests.Support;

/// <summary>Our own EBS client pointed at a test server.</summary>
internal static class EbsClients
{
    public static EbsClient Ebs(this TestServer server, Account? account = null, string? secretOverride = null, HttpMessageHandler? handler = null, int maxAttempts = 1) =>
        new(new EbsClientOptions
        {
            Endpoint = server.Endpoint,
            AccessKeyId = (account ?? TestServer.Alice).AccessKeyId,
            SecretAccessKey = secretOverride ?? (account ?? TestServer.Alice).SecretAccessKey,
            Region = server.Region,
            MaxAttempts = maxAttempts,
            AttemptTimeout = TimeSpan.FromSeconds(30),
        }, handler);
}
