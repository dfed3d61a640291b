using System.CommandLine;
using System.Text.Json.Nodes;
using AmiVault.Cli.Common;
using AmiVault.Transfers;

namespace AmiVault.Cli;

/// <summary>`amivault export-snapshot SNAPSHOT FILE`: an EBS snapshot into a sparse raw disk image (EBS direct APIs).</summary>
internal static class ExportSnapshotCommand
{
    public static Command Create(CliRunner runner)
    {
        var snapshot = new Argument<string>("SNAPSHOT") { Description = "The snapshot ID (snap-…)." };
        var file = new Argument<string>("FILE") { Description = "The raw image to write; built under a temporary name and renamed when complete." };
        var force = new Option<bool>("--force") { Description = "Replace FILE if it exists." };
        var parallel = new Option<int>("--parallel") { Description = "Blocks in flight.", DefaultValueFactory = _ => 64 };
        parallel.Validators.Add(r => OptionChecks.Between(r, 1, 256));
        var connection = new ConnectionOptions();

        var command = new Command("export-snapshot", "Export an EBS snapshot to a raw disk image file (sparse: unwritten blocks stay holes).")
        {
            snapshot, file, force, parallel,
        };
        connection.AddTo(command);
        runner.SetAction(command, async context =>
        {
            var snapshotId = context.Value(snapshot);
            var path = Path.GetFullPath(context.Value(file));
            if (!context.Value(force) && (File.Exists(path) || Directory.Exists(path)))
            {
                throw CliException.Usage($"{path} exists; pass --force to replace it.");
            }

            if (!Directory.Exists(Path.GetDirectoryName(path)))
            {
                throw CliException.Usage($"The folder of {path} does not exist.");
            }

            var result = await ExportAsync(context, context.Connect(connection), snapshotId, path, context.Value(force), context.Value(parallel));
            context.WriteResult("ExportSnapshot", new JsonObject
            {
                ["SnapshotId"] = snapshotId,
                ["Path"] = result.Path,
                ["VolumeBytes"] = result.VolumeBytes,
                ["BlocksRead"] = result.BlocksRead,
                ["BlocksWritten"] = result.BlocksWritten,
                ["AllocatedBytes"] = result.AllocatedBytes,
                ["Seconds"] = Sizes.Seconds(result.Elapsed),
                ["MegabytesPerSecond"] = Sizes.MegabytesPerSecond(result.VolumeBytes, result.Elapsed),
            });
            return ExitCodes.Success;
        });
        return command;
    }

    internal static async Task<SnapshotExportResult> ExportAsync(CliContext context, AwsConnection aws, string snapshotId, string path, bool overwrite, int parallel)
    {
        using var ebs = aws.CreateEbs(parallel * 2);
        context.Note($"Exporting {snapshotId} from {aws.Describe("ebs")} to {path}");
        using var progress = context.Progress("export-snapshot", 0);
        var result = await new SnapshotExporter(ebs).ExportAsync(snapshotId, path, overwrite, parallel, progress.SetTotal, progress.Add, context.CancellationToken);
        progress.Finish($"export-snapshot: {Sizes.Format(result.VolumeBytes)} in {Sizes.Duration(result.Elapsed)}, {result.BlocksRead} blocks read, {Sizes.Format(result.AllocatedBytes)} allocated on disk");
        return result;
    }
}
