namespace AmiVault.Catalog;

/// <summary>An EBS snapshot: its description in the catalog; its blocks are rows of <see cref="SnapshotBlock"/>.</summary>
internal sealed record SnapshotRecord
{
    public required string SnapshotId { get; init; }

    public required string OwnerId { get; init; }

    public required long VolumeSizeGib { get; init; }

    /// <summary>pending, completed or error.</summary>
    public string Status { get; init; } = "pending";

    /// <summary>0 to 100; shown as "N%".</summary>
    public int Progress { get; init; }

    public string? Description { get; init; }

    public bool Encrypted { get; init; }

    public string? KmsKeyId { get; init; }

    public required DateTimeOffset StartTime { get; init; }

    public DateTimeOffset? CompletionTime { get; init; }

    public string? ParentSnapshotId { get; init; }

    public string? StateMessage { get; init; }

    /// <summary>EBS direct API idempotency: the token and a fingerprint of the parameters it came with.</summary>
    public string? ClientToken { get; init; }

    public string? ClientTokenFingerprint { get; init; }

    /// <summary>When a pending snapshot that was not completed goes to error (StartSnapshot Timeout).</summary>
    public DateTimeOffset? Deadline { get; init; }

    /// <summary>StartSnapshot's Timeout: each block written moves <see cref="Deadline"/> to this long after it.</summary>
    public int? TimeoutMinutes { get; init; }
}

/// <summary>One written block of a snapshot: its index in the volume and the SHA-256 that addresses its data.</summary>
internal sealed record SnapshotBlock(long BlockIndex, byte[] Hash);
