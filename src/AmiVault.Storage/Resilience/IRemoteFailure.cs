namespace AmiVault.Resilience;

/// <summary>An error answered by another service, in its own terms: the HTTP status and the error code (SlowDown, ExpiredToken…).</summary>
internal interface IRemoteFailure
{
    int StatusCode { get; }

    string ErrorCode { get; }
}
