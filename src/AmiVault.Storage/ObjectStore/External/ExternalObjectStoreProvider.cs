using AmiVault.ObjectStore;
using System.Collections.Concurrent;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.S3;

namespace AmiVault.ObjectStore.External;

/// <summary>
/// An external S3 service (Ceph RGW, MinIO, AWS) reached with AWSSDK.S3 configured by <see cref="ExternalS3Clients"/>.
/// Each account uses its own configured credentials, else the backend's; one client per set of credentials.
/// </summary>
internal sealed class ExternalObjectStoreProvider(BucketOptions options, string serverRegion) : IObjectStoreProvider, IDisposable
{
    private readonly ConcurrentDictionary<string, AmazonS3Client> _clients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, string>> _uploadTags = new(StringComparer.Ordinal);

    private string Region => string.IsNullOrEmpty(options.Region) ? serverRegion : options.Region;

    public IObjectStore ForAccount(string accountId)
    {
        var credentials = options.AccountCredentials.GetValueOrDefault(accountId);
        var cacheKey = credentials is null ? "" : accountId;
        var client = _clients.GetOrAdd(cacheKey, _ => CreateClient(credentials));
        return new ExternalObjectStore(client, Region, _uploadTags);
    }

    private AmazonS3Client CreateClient(ExternalCredentialOptions? account) =>
        ExternalS3Clients.Create(
            Resolve(account?.Profile, account?.AccessKeyId, account?.SecretAccessKey) ?? Resolve(options.Profile, options.AccessKeyId, options.SecretAccessKey),
            Region,
            string.IsNullOrEmpty(options.EndpointUrl) ? null : options.EndpointUrl,
            options.ForcePathStyle);

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

        // The chain does not look at AWS_SHARED_CREDENTIALS_FILE by itself; the AWS CLI and other SDKs do.
        var chain = new CredentialProfileStoreChain(Environment.GetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE"));
        return chain.TryGetAWSCredentials(profile, out var fromProfile)
            ? fromProfile
            : throw new InvalidOperationException($"AWS profile '{profile}' was not found in the shared config or credentials files.");
    }

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
    }
}
