namespace AmiVault.Archive;

/// <summary>A snapshot as archived; its blocks are listed in the index at the same position as here.</summary>
public sealed record ArchivedSnapshot
{
    /// <summary>The id the snapshot had when it was stored.</summary>
    public required string SnapshotId { get; init; }

    public required long VolumeSizeGib { get; init; }

    public string? Description { get; init; }

    public IReadOnlyList<ArchivedTag> Tags { get; init; } = [];

    /// <summary>How many blocks the snapshot lists (written blocks, zero blocks included).</summary>
    public required long BlockCount { get; init; }
}
