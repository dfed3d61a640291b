using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using AmiVault.Archive;
using AmiVault.Cli.Common;

namespace AmiVault.Cli;

/// <summary>
/// `amivault inspect LOCATION`: what a stored image holds (image, snapshots, sizes, compression, format version),
/// from its header, manifest and index alone: a few ranged reads, whatever the image's size.
/// </summary>
internal static class InspectCommand
{
    public static Command Create(CliRunner runner)
    {
        var location = new Argument<string>("LOCATION") { Description = "The stored image: s3://BUCKET/KEY, or a local archive file." };
        var connection = new ConnectionOptions();
        var command = new Command("inspect", "Show a stored image's metadata, snapshots and sizes, reading only its header and index.") { location };
        connection.AddTo(command);
        runner.SetAction(command, async context =>
        {
            using var archive = await ArchiveLocation.OpenAsync(context, context.Value(location), connection);
            var reader = await ArchiveReader.OpenAsync(archive.Source, context.CancellationToken);
            context.WriteResult("Inspect", Describe(archive, reader));
            return ExitCodes.Success;
        });
        return command;
    }

    private static JsonObject Describe(ArchiveLocation archive, ArchiveReader reader)
    {
        var image = reader.Manifest.Image;
        var stats = reader.Statistics;
        var result = new JsonObject
        {
            ["Location"] = archive.Display,
            ["ArchiveVersion"] = reader.Version,
            ["ImageId"] = image.ImageId,
            ["Name"] = image.Name,
            ["Description"] = image.Description,
            ["Architecture"] = image.Architecture,
            ["BootMode"] = image.BootMode,
            ["VirtualizationType"] = image.VirtualizationType,
            ["RootDeviceName"] = image.RootDeviceName,
            ["OwnerId"] = image.OwnerId,
            ["CreationDate"] = Iso(image.CreationDate),
            ["StoredAt"] = Iso(reader.Manifest.StoredAt),
            ["StoredFromRegion"] = reader.Manifest.StoredFromRegion,
            ["LogicalBytes"] = stats.LogicalBytes,
            ["StoredBytes"] = stats.Length,
            ["CompressionRatio"] = stats.Length > 0 ? Math.Round((double)stats.LogicalBytes / stats.Length, 2) : 0,
            ["BlockSize"] = reader.BlockSize,
            ["Frames"] = stats.Frames,
            ["StoredBlocks"] = stats.StoredBlocks,
            ["ZeroBlocks"] = stats.ZeroBlocks,
            ["DuplicateBlocks"] = stats.DuplicateBlocks,
            ["BytesRead"] = archive.Source.BytesRead,
            ["Reads"] = archive.Source.Reads,
        };
        if (archive.Object is { } info)
        {
            result["ETag"] = info.ETag;
            result["LastModified"] = Iso(info.LastModified);
            result["Metadata"] = new JsonObject([.. info.Metadata.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => KeyValuePair.Create(m.Key, (JsonNode?)m.Value))]);
        }

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
        return result;
    }

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
