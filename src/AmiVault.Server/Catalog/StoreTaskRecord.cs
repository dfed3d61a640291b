namespace AmiVault.Catalog;

/// <summary>A CreateStoreImageTask: one image written as one object into a bucket.</summary>
internal sealed record StoreTaskRecord
{
    public required string TaskId { get; init; }

    public required string OwnerId { get; init; }

    public required string ImageId { get; init; }

    public required string Bucket { get; init; }

    public required string ObjectKey { get; init; }

    /// <summary>InProgress, Completed or Failed (the wire's words).</summary>
    public string State { get; init; } = TaskStates.InProgress;

    /// <summary>0–100; only grows.</summary>
    public int Progress { get; init; }

    public string? FailureReason { get; init; }

    public required DateTimeOffset StartTime { get; init; }

    public DateTimeOffset? EndTime { get; init; }

    /// <summary>Total volume size of the image's snapshots in bytes: what the account's store quota counts.</summary>
    public required long SizeBytes { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> ObjectTags { get; init; } = [];

    /// <summary>The ARN of who asked for the task: it runs with that principal's permissions (null: the account's root).</summary>
    public string? PrincipalArn { get; init; }

    /// <summary>The multipart upload in flight, so a restarted server can abort it.</summary>
    public string? UploadId { get; init; }
}
