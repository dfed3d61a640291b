using System.Net;
using AmiVault.Resilience;

namespace AmiVault.Client;

/// <summary>
/// An error answer of an EBS endpoint: the error shape (ValidationException…), its Reason and Message. Whether it is
/// worth another attempt is decided by <see cref="TransientFailures"/>, like every other outbound failure.
/// </summary>
internal sealed class EbsServiceException(HttpStatusCode status, string errorType, string? reason, string message, string? requestId)
    : Exception($"{errorType}{(reason is null ? "" : $" ({reason})")}: {message}"), IRemoteFailure
{
    public HttpStatusCode StatusCode { get; } = status;

    public string ErrorType { get; } = errorType;

    public string? Reason { get; } = reason;

    public string ServiceMessage { get; } = message;

    public string? RequestId { get; } = requestId;

    int IRemoteFailure.StatusCode => (int)StatusCode;

    string IRemoteFailure.ErrorCode => ErrorType;
}
