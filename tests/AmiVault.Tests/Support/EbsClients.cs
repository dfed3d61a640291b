using AmiVault.Accounts;
using AmiVault.Client;
using AmiVault.Resilience;
using Amazon.Runtime;

namespace AmiVault.Tests.Support;

/// <summary>Our own EBS client pointed at a test server.</summary>
internal static class EbsClients
{
    public static EbsClient Ebs(this TestServer server, Account? account = null, string? secretOverride = null, HttpMessageHandler? handler = null, int maxAttempts = 1) =>
        new(new EbsClientOptions
        {
            Endpoint = server.Endpoint,
            Credentials = new BasicAWSCredentials((account ?? TestServer.Alice).AccessKeyId, secretOverride ?? (account ?? TestServer.Alice).SecretAccessKey),
            Region = server.Region,
            Retry = new RetryOptions { MaxAttempts = maxAttempts, AttemptTimeoutSeconds = 30 },
        }, handler);
}
