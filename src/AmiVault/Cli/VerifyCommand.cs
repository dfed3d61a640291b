using System.CommandLine;
using System.Text.Json.Nodes;
using AmiVault.Archive;
using AmiVault.Cli.Common;

namespace AmiVault.Cli;

/// <summary>
/// `amivault verify LOCATION`: reads a whole stored image and checks every digest (the archive digest over header,
/// manifest and index; each frame's and each block's SHA-256) without restoring anything. Exit 0 when intact, 3 not.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create(CliRunner runner)
    {
        var location = new Argument<string>("LOCATION") { Description = "The stored image: s3://BUCKET/KEY, or a local archive file." };
        var parallel = new Option<int>("--parallel") { Description = "Ranged reads in flight.", DefaultValueFactory = _ => 8 };
        parallel.Validators.Add(r => OptionChecks.Between(r, 1, 64));
        var connection = new ConnectionOptions();
        var command = new Command("verify", "Read a stored image and check every digest, without restoring; exit 0 if intact, 3 if not.") { location, parallel };
        connection.AddTo(command);
        runner.SetAction(command, async context =>
        {
            using var progress = context.Progress("verify", 0);
            using var archive = await ArchiveLocation.OpenAsync(context, context.Value(location), connection, progress.Add);
            progress.SetTotal(archive.Source.Length);
            var verdict = await ArchiveReader.VerifyAsync(archive.Source, new ArchiveReadOptions { MaxParallelReads = context.Value(parallel) }, context.CancellationToken);
            progress.Finish();
            var notAnArchive = verdict.Problem == ArchiveProblem.NotAnArchive;
            var result = new JsonObject
            {
                ["Location"] = archive.Display,
                ["Verdict"] = verdict.IsIntact ? "intact" : notAnArchive ? "not-an-archive" : "damaged",
                ["Problem"] = verdict.Problem?.ToString(),
                ["Message"] = verdict.Message,
                ["BytesRead"] = archive.Source.BytesRead,
            };
            if (verdict.Statistics is { } stats)
            {
                result["Frames"] = stats.Frames;
                result["StoredBlocks"] = stats.StoredBlocks;
                result["LogicalBytes"] = stats.LogicalBytes;
            }

            context.WriteResult("Verify", result);
            if (!verdict.IsIntact)
            {
                context.Host.Error.WriteLine($"amivault verify: {archive.Display} {(notAnArchive ? "is not an AmiVault image archive" : "is damaged")}: {verdict.Message}");
                return ExitCodes.VerificationFailed;
            }

            context.Note($"{archive.Display}: {verdict.Message}");
            return ExitCodes.Success;
        });
        return command;
    }
}
