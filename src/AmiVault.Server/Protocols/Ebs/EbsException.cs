namespace AmiVault.Protocols.Ebs;

/// <summary>An EBS direct API error: its shape name (x-amzn-ErrorType, __type), HTTP status, message and Reason.</summary>
internal sealed class EbsException(string type, int status, string message, string? reason = null) : Exception(message)
{
    public string Type { get; } = type;

    public int Status { get; } = status;

    public string? Reason { get; } = reason;

    public static EbsException Validation(string reason, string message) => new("ValidationException", 400, message, reason);

    /// <summary>Also the answer for another account's snapshot: its existence is not revealed.</summary>
    public static EbsException SnapshotNotFound(string snapshotId) =>
        new("ResourceNotFoundException", 404, $"The snapshot '{snapshotId}' does not exist.", "SNAPSHOT_NOT_FOUND");

    public static EbsException Conflict(string message) => new("ConflictException", 409, message);

    public static EbsException AccessDenied(string message) => new("AccessDeniedException", 403, message, "UNAUTHORIZED_ACCOUNT");
}
