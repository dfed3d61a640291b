namespace AmiVault.Client;

/// <summary>StartSnapshot's parameters. A null <see cref="ClientToken"/> gets a fresh one, so retries stay idempotent.</summary>
internal sealed record StartSnapshotRequest
{
    public required long VolumeSizeGib { get; init; }

    public string? ParentSnapshotId { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> Tags { get; init; } = [];

    public string? Description { get; init; }

    public string? ClientToken { get; init; }

    public bool? Encrypted { get; init; }

    public string? KmsKeyArn { get; init; }

    /// <summary>Minutes without a block write or completion after which the snapshot goes to error (10–4320).</summary>
    public int? TimeoutMinutes { get; init; }
}
