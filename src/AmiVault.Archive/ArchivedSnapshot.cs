using System.Text.Json.Serialization;

namespace AmiVault.Archive;

/// <summary>A snapshot as archived; its blocks are listed in the index at the same position as here.</summary>
public sealed record ArchivedSnapshot
{
    /// <summary>The id the snapshot had when it was stored.</summary>
    [JsonPropertyName("snapshotId")]
    public required string SnapshotId { get; init; }

    [JsonPropertyName("volumeSizeGib")]
    public required long VolumeSizeGib { get; init; }

    [JsonPropertyName("description")]
    public string? Description { get; init; }

    [JsonPropertyName("tags")]
    public IReadOnlyList<ArchivedTag> Tags { get; init; } = [];

    /// <summary>How many blocks the snapshot lists (written blocks, zero blocks included).</summary>
    [JsonPropertyName("blockCount")]
    public required long BlockCount { get; init; }
}
