using System.CommandLine;
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
        var result = new JsonObject { ["Location"] = archive.Display };
        ArchiveInspection.AddSummary(result, reader);
        result["BytesRead"] = archive.Source.BytesRead;
        result["Reads"] = archive.Source.Reads;
        if (archive.Object is { } info)
        {
            ArchiveInspection.AddObject(result, info.ETag, info.LastModified, info.Metadata);
        }

        ArchiveInspection.AddContents(result, reader);
        return result;
    }
}
