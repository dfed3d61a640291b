using System.Net;

namespace AmiVault.Client;

/// <summary>An error answer of an EBS endpoint: the error shape (ValidationException…), its Reason and Message.</summary>
internal sealed class EbsServiceException(HttpStatusCode status, string errorType, string? reason, string message, string? requestId)
    : Exception($"{errorType}{(reason is null ? "" : $" ({reason})")}: {message}")
{
    private static readonly HashSet<string> ThrottlingTypes = new(StringComparer.Ordinal)
    {
        "ThrottlingException", "RequestThrottledException", "ThrottledException", "TooManyRequestsException", "RequestLimitExceeded", "SlowDown",
    };

    public HttpStatusCode StatusCode { get; } = status;

    public string ErrorType { get; } = errorType;

    public string? Reason { get; } = reason;

    public string ServiceMessage { get; } = message;

    public string? RequestId { get; } = requestId;

    /// <summary>Server errors and throttling are worth another attempt; every other error would only repeat.</summary>
    public bool IsRetryable => (int)StatusCode >= 500 || StatusCode == HttpStatusCode.TooManyRequests || ThrottlingTypes.Contains(ErrorType);
}
