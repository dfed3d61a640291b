using System.Globalization;
using System.Text.Json.Nodes;

namespace AmiVault.Archive;

/// <summary>
/// What a stored image holds, from its header, manifest and index alone: the fields `amivault inspect` prints and the
/// web console shows, written once. The caller adds where the archive was read from.
/// </summary>
public static class ArchiveInspection
{
    /// <summary>The image and the archive's sizes and layout.</summary>
    public static void AddSummary(JsonObject result, ArchiveReader reader)
    {
        var image = reader.Manifest.Image;
        var stats = reader.Statistics;
        result["ArchiveVersion"] = reader.Version;
        result["ImageId"] = image.ImageId;
        result["Name"] = image.Name;
        result["Description"] = image.Description;
        result["Architecture"] = image.Architecture;
        result["BootMode"] = image.BootMode;
        result["VirtualizationType"] = image.VirtualizationType;
        result["RootDeviceName"] = image.RootDeviceName;
        result["OwnerId"] = image.OwnerId;
        result["CreationDate"] = Iso(image.CreationDate);
        result["StoredAt"] = Iso(reader.Manifest.StoredAt);
        result["StoredFromRegion"] = reader.Manifest.StoredFromRegion;
        result["LogicalBytes"] = stats.LogicalBytes;
        result["StoredBytes"] = stats.Length;
        result["CompressionRatio"] = stats.Length > 0 ? Math.Round((double)stats.LogicalBytes / stats.Length, 2) : 0;
        result["BlockSize"] = reader.BlockSize;
        result["Frames"] = stats.Frames;
        result["StoredBlocks"] = stats.StoredBlocks;
        result["ZeroBlocks"] = stats.ZeroBlocks;
        result["DuplicateBlocks"] = stats.DuplicateBlocks;
    }

    /// <summary>What the object store tells about the object the archive was read from.</summary>
    public static void AddObject(JsonObject result, string etag, DateTimeOffset lastModified, IReadOnlyDictionary<string, string> metadata)
    {
        result["ETag"] = etag;
        result["LastModified"] = Iso(lastModified);
        result["Metadata"] = new JsonObject([.. metadata.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => KeyValuePair.Create(m.Key, (JsonNode?)m.Value))]);
    }

    /// <summary>The snapshots, block device mappings and tags the image will have once restored.</summary>
    public static void AddContents(JsonObject result, ArchiveReader reader)
    {
        var image = reader.Manifest.Image;
        result["Snapshots"] = new JsonArray([.. reader.Manifest.Snapshots.Select(s => (JsonNode)new JsonObject
        {
            ["SnapshotId"] = s.SnapshotId,
            ["VolumeSize"] = s.VolumeSizeGib,
            ["Blocks"] = s.BlockCount,
            ["LogicalBytes"] = s.BlockCount * reader.BlockSize,
            ["Description"] = s.Description,
        })]);
        result["BlockDeviceMappings"] = new JsonArray([.. image.BlockDeviceMappings.Select(m => (JsonNode)new JsonObject
        {
            ["DeviceName"] = m.DeviceName,
            ["SnapshotId"] = m.Ebs?.SnapshotId,
            ["VolumeSize"] = m.Ebs?.VolumeSize,
            ["VolumeType"] = m.Ebs?.VolumeType ?? m.VirtualName,
        })]);
        result["Tags"] = new JsonArray([.. image.Tags.Select(t => (JsonNode)new JsonObject { ["Key"] = t.Key, ["Value"] = t.Value })]);
    }

    public static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
