using System.Text.Json;
using System.Text.Json.Serialization;

namespace AmiVault.Archive;

/// <summary>
/// The manifest's JSON form, and the rules a manifest must meet. Both sides apply the same rules: the writer so it
/// never produces an archive the reader refuses, the reader because the manifest is untrusted input.
/// Every member's name is spelled by its [JsonPropertyName] (no naming policy), so renaming a C# property can never
/// change the format; a test holds every manifest type to that.
/// </summary>
internal static class ArchiveManifestJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        MaxDepth = 16,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    public static byte[] Serialize(ArchiveManifest manifest) => JsonSerializer.SerializeToUtf8Bytes(manifest, Options);

    public static ArchiveManifest Deserialize(ReadOnlySpan<byte> json)
    {
        ArchiveManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ArchiveManifest>(json, Options);
        }
        catch (JsonException e)
        {
            throw new ArchiveFormatException(ArchiveProblem.Malformed, $"The archive's manifest is not valid: {e.Message}");
        }

        var problem = manifest is null ? "it is null" : FindProblem(manifest);
        return problem is null
            ? manifest!
            : throw new ArchiveFormatException(ArchiveProblem.Malformed, $"The archive's manifest is not valid: {problem}.");
    }

    /// <summary>The first rule the manifest breaks, or null. JSON can put nulls where the types say none can be.</summary>
    public static string? FindProblem(ArchiveManifest manifest)
    {
        if (manifest.Image is null || manifest.Snapshots is null)
        {
            return "the image or the snapshot list is missing";
        }

        if (manifest.Snapshots.Count > ArchiveFormat.MaxSnapshots)
        {
            return $"it lists {manifest.Snapshots.Count} snapshots; at most {ArchiveFormat.MaxSnapshots} are allowed";
        }

        if (manifest.Image.BlockDeviceMappings is null || manifest.Image.BlockDeviceMappings.Any(m => m is null)
            || manifest.Image.Tags is null || manifest.Image.Tags.Any(t => t is null))
        {
            return "the image's block device mappings or tags hold a null";
        }

        for (var i = 0; i < manifest.Snapshots.Count; i++)
        {
            var snapshot = manifest.Snapshots[i];
            if (snapshot is null || string.IsNullOrEmpty(snapshot.SnapshotId) || snapshot.Tags is null || snapshot.Tags.Any(t => t is null))
            {
                return $"snapshot {i} has no id, or its tags hold a null";
            }

            if (snapshot.VolumeSizeGib is < 1 or > ArchiveFormat.MaxVolumeSizeGib)
            {
                return $"snapshot {snapshot.SnapshotId} has a volume size of {snapshot.VolumeSizeGib} GiB";
            }

            if (snapshot.BlockCount < 0)
            {
                return $"snapshot {snapshot.SnapshotId} has a block count of {snapshot.BlockCount}";
            }
        }

        return null;
    }
}
