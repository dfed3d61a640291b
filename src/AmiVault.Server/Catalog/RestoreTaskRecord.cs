namespace AmiVault.Catalog;

/// <summary>A CreateRestoreImageTask: one object read back into a new image and new snapshots.</summary>
internal sealed record RestoreTaskRecord
{
    public required string TaskId { get; init; }

    public required string OwnerId { get; init; }

    /// <summary>The new image being restored (pending until the task completes).</summary>
    public required string ImageId { get; init; }

    public required string Bucket { get; init; }

    public required string ObjectKey { get; init; }

    /// <summary>The ETag the object had when the task was accepted: reads are pinned to it.</summary>
    public string? ETag { get; init; }

    public string State { get; init; } = TaskStates.InProgress;

    public string? FailureReason { get; init; }

    public required DateTimeOffset StartTime { get; init; }

    public DateTimeOffset? EndTime { get; init; }

    /// <summary>Total volume size of the restored snapshots in bytes: what the account's restore quota counts.</summary>
    public required long SizeBytes { get; init; }

    /// <summary>The ARN of who asked for the task: it runs with that principal's permissions (null: the account's root).</summary>
    public string? PrincipalArn { get; init; }

    /// <summary>New snapshot ids in the archive's snapshot order.</summary>
    public IReadOnlyList<string> SnapshotIds { get; init; } = [];
}
