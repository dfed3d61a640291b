using AmiVault.ObjectStore;
using System.Collections.Concurrent;
using AmiVault.Resilience;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.S3;

namespace AmiVault.ObjectStore.External;

/// <summary>
/// An external S3 service (Ceph RGW, MinIO, AWS) reached with AWSSDK.S3 configured by <see cref="ExternalS3Clients"/>.
/// Each account uses its own configured credentials, else the backend's; one client per set of credentials, with
/// its <see cref="ResiliencePolicy"/> (`Buckets:Retry`) refreshing those credentials when they are refused as expired.
/// </summary>
internal sealed class ExternalObjectStoreProvider(BucketOptions options, string serverRegion) : IObjectStoreProvider, IDisposable
{
    private readonly ConcurrentDictionary<string, (AmazonS3Client Client, ResiliencePolicy Retry)> _clients = new(StringComparer.Ordinal);
    private readonly RetryOptions _retry = options.Retry.Checked("Buckets:Retry:");
    private readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, string>> _uploadTags = new(StringComparer.Ordinal);

    private string Region => string.IsNullOrEmpty(options.Region) ? serverRegion : options.Region;

    public IObjectStore ForAccount(string accountId)
    {
        var credentials = options.AccountCredentials.GetValueOrDefault(accountId);
        var cacheKey = credentials is null ? "" : accountId;
        var (client, retry) = _clients.GetOrAdd(cacheKey, _ => CreateClient(credentials));
        return new ExternalObjectStore(client, Region, _uploadTags, retry);
    }

    private (AmazonS3Client, ResiliencePolicy) CreateClient(ExternalCredentialOptions? account)
    {
        var credentials = Resolve(account?.Profile, account?.AccessKeyId, account?.SecretAccessKey) ?? Resolve(options.Profile, options.AccessKeyId, options.SecretAccessKey);
        var endpoint = string.IsNullOrEmpty(options.EndpointUrl) ? null : options.EndpointUrl;
        var retry = new ResiliencePolicy(_retry) { Target = $"S3 at {endpoint ?? "AWS"}", RefreshCredentials = ReloadingCredentials.RefreshOf(credentials) };
        return (ExternalS3Clients.Create(credentials, Region, endpoint, options.ForcePathStyle), retry);
    }

    /// <summary>A key pair wins over a profile; null leaves the choice to the SDK's default chain (environment, default profile).</summary>
    private static AWSCredentials? Resolve(string? profile, string? accessKeyId, string? secretAccessKey)
    {
        if (!string.IsNullOrEmpty(accessKeyId) && !string.IsNullOrEmpty(secretAccessKey))
        {
            return new BasicAWSCredentials(accessKeyId, secretAccessKey);
        }

        if (string.IsNullOrEmpty(profile))
        {
            return null;
        }

        // The chain does not look at AWS_SHARED_CREDENTIALS_FILE by itself; the AWS CLI and other SDKs do. The files
        // are read again when they change, so keys rotated under a running server are picked up.
        var credentialsFile = Environment.GetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE");
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return new ReloadingCredentials(
            [credentialsFile ?? Path.Combine(home, ".aws", "credentials"), Environment.GetEnvironmentVariable("AWS_CONFIG_FILE") ?? Path.Combine(home, ".aws", "config")],
            () => new CredentialProfileStoreChain(credentialsFile).TryGetAWSCredentials(profile, out var fromProfile)
                ? fromProfile
                : throw new InvalidOperationException($"AWS profile '{profile}' was not found in the shared config or credentials files."));
    }

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Client.Dispose();
        }
    }
}
