using System.Net.Sockets;
using Amazon.Runtime;

namespace AmiVault.Resilience;

/// <summary>
/// The one answer to "is this failure worth another attempt?" for every outbound call: server errors and throttling
/// are, broken or silent connections are, data damaged on the way is (the body is sent again); client errors are not,
/// except credentials that have expired or been rotated, which are worth one attempt with fresh ones.
/// </summary>
internal static class TransientFailures
{
    /// <summary>Throttling as AWS services and S3-compatible servers spell it, whatever the status.</summary>
    private static readonly HashSet<string> Throttling = new(StringComparer.Ordinal)
    {
        "SlowDown", "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottled", "RequestThrottledException",
        "TooManyRequestsException", "RequestLimitExceeded", "ProvisionedThroughputExceededException", "BandwidthLimitExceeded",
    };

    /// <summary>4xx codes S3 uses for a transfer that broke on the way, not for a bad request: sending it again can succeed.</summary>
    private static readonly HashSet<string> DamagedInTransit = new(StringComparer.Ordinal)
    {
        "RequestTimeout", "BadDigest", "IncompleteBody", "XAmzContentSHA256Mismatch",
    };

    /// <summary>The credentials the request was signed with are no longer (or not yet) the ones that count.</summary>
    private static readonly HashSet<string> Credentials = new(StringComparer.Ordinal)
    {
        "ExpiredToken", "ExpiredTokenException", "TokenRefreshRequired",
        "InvalidAccessKeyId", "InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch", "InvalidSignatureException",
    };

    public static FailureKind Classify(Exception failure) => failure switch
    {
        IRemoteFailure remote => Classify(remote.StatusCode, remote.ErrorCode),
        AmazonServiceException service => Classify((int)service.StatusCode, service.ErrorCode ?? ""),
        HttpRequestException or IOException or SocketException or TimeoutException or InvalidDataException => FailureKind.Transient,

        // The SDK's own failures to send or read (a reset connection, a short body) short of an answer.
        AmazonClientException => FailureKind.Transient,
        _ when failure.InnerException is { } inner && failure is AggregateException => Classify(inner),
        _ => FailureKind.Permanent,
    };

    public static FailureKind Classify(int status, string code) =>
        Credentials.Contains(code) ? FailureKind.CredentialsExpired
        : Throttling.Contains(code) || DamagedInTransit.Contains(code) || status == 429 || (status >= 500 && status != 501) ? FailureKind.Transient
        : FailureKind.Permanent;
}
