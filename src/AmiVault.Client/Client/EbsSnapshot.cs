namespace AmiVault.Client;

/// <summary>StartSnapshot's answer.</summary>
internal sealed record EbsSnapshot(
    string SnapshotId,
    string OwnerId,
    string Status,
    DateTimeOffset? StartTime,
    long VolumeSizeGib,
    int BlockSize,
    IReadOnlyList<KeyValuePair<string, string>> Tags,
    string? Description,
    string? ParentSnapshotId,
    string? KmsKeyArn,
    string? SseType);
