using System.Text.Json.Serialization;

namespace AmiVault.Archive;

/// <summary>
/// What an archive says about itself, stored as JSON after the header: the image's non-region-specific metadata
/// and, in archive order, the snapshots whose blocks follow.
/// </summary>
public sealed record ArchiveManifest
{
    [JsonPropertyName("image")]
    public required ArchivedImage Image { get; init; }

    /// <summary>In the order their blocks are written; the index lists the snapshots in the same order.</summary>
    [JsonPropertyName("snapshots")]
    public required IReadOnlyList<ArchivedSnapshot> Snapshots { get; init; }

    /// <summary>When the store task wrote the archive.</summary>
    [JsonPropertyName("storedAt")]
    public required DateTimeOffset StoredAt { get; init; }

    /// <summary>The region of the server that wrote the archive.</summary>
    [JsonPropertyName("storedFromRegion")]
    public string? StoredFromRegion { get; init; }
}
