using AmiVault.Resilience;
using Amazon.Runtime;
using Amazon.S3;

namespace AmiVault.ObjectStore.External;

/// <summary>
/// The one way this project configures AWSSDK.S3 toward an S3 service that may not be AWS's (Ceph RGW, MinIO, an
/// AmiVault server): path-style addressing when asked, and checksums only when an operation requires them, since
/// third-party servers reject the SDK's default aws-chunked trailers; no retries of the SDK's own, since every call
/// goes through our <see cref="ResiliencePolicy"/> (<see cref="ExternalObjectStore"/>), and HTTP clients whose answers'
/// Retry-After reach that policy (<see cref="RetryingHttpClientFactory"/>). Used by the server's external bucket
/// backend and by the `amivault` client commands.
/// </summary>
internal static class ExternalS3Clients
{
    /// <summary>
    /// A client for <paramref name="endpointUrl"/> (AWS's regional endpoint when null). Null credentials leave the
    /// choice to the SDK's default chain (environment, default profile, instance role).
    /// </summary>
    public static AmazonS3Client Create(AWSCredentials? credentials, string region, string? endpointUrl, bool forcePathStyle = true, int? maxConnections = null)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = forcePathStyle,
            AuthenticationRegion = region,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,

            // The endpoint is decided by the caller; the SDK must not pick another from AWS_ENDPOINT_URL or ~/.aws/config.
            IgnoreConfiguredEndpointUrls = true,
        };

        // Ceph RGW answers an early error to a PUT without reading its body and keeps the connection: a pool of its
        // own per client (HandOver) keeps such a connection from poisoning other accounts' requests.
        RetryingHttpClientFactory.HandOver(config);
        if (maxConnections is { } connections)
        {
            config.MaxConnectionsPerServer = connections;
        }

        if (endpointUrl is null)
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(region);
        }
        else
        {
            config.ServiceURL = endpointUrl;
        }

        return credentials is null ? new AmazonS3Client(config) : new AmazonS3Client(credentials, config);
    }
}
