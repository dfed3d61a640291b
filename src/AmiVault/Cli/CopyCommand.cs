using System.CommandLine;
using System.Text.Json.Nodes;
using AmiVault.Cli.Common;
using AmiVault.Transfers;

namespace AmiVault.Cli;

/// <summary>
/// `amivault copy SRC DST`: one object from one S3 endpoint to another, each with its own credentials, streamed
/// through memory, resumable, verified. The "procedure of your choice" AWS leaves for moving a stored AMI across
/// partitions.
/// </summary>
internal static class CopyCommand
{
    public static Command Create(CliRunner runner)
    {
        var sourceArgument = new Argument<string>("SRC") { Description = "The object to copy, s3://BUCKET/KEY." };
        var destinationArgument = new Argument<string>("DST") { Description = "Where to copy it, s3://BUCKET/KEY (s3://BUCKET/ keeps the source's key name)." };
        var parallel = new Option<int>("--parallel") { Description = "Parts in flight (fewer when parts are large: memory stays under 256 MiB).", DefaultValueFactory = _ => 8 };
        parallel.Validators.Add(r => OptionChecks.Between(r, 1, 64));
        var partSize = new Option<int?>("--part-size") { Description = "Part size in MiB (default: the source's own parts when it is multipart, else 8 MiB or more)." };
        partSize.Validators.Add(r => OptionChecks.Between(r, 5, 1024));
        var stateDir = new Option<string?>("--state-dir") { Description = "Where unfinished copies are recorded for resuming (default: $XDG_STATE_HOME/amivault/copies or ~/.local/state/amivault/copies)." };
        var restart = new Option<bool>("--restart") { Description = "Abandon an unfinished copy to the same destination (abort its upload) and start over." };
        var verifyArchive = new Option<bool>("--verify-archive") { Description = "When the object is an archive, read the whole copy back and check every frame (default: its index digest only)." };
        var source = new ConnectionOptions("source-", "source");
        var destination = new ConnectionOptions("dest-", "destination");

        var command = new Command("copy", "Copy an object between two S3 endpoints (different credentials, partitions), streaming, resumable, verified.")
        {
            sourceArgument, destinationArgument, parallel, partSize, stateDir, restart, verifyArchive,
        };
        source.AddTo(command);
        destination.AddTo(command);
        runner.SetAction(command, async context =>
        {
            var from = S3Location.Parse(context.Value(sourceArgument));
            var to = S3Location.Parse(context.Value(destinationArgument), keyRequired: false);
            if (to.Key.Length == 0 || to.Key.EndsWith('/'))
            {
                to = to with { Key = to.Key + from.Key[(from.Key.LastIndexOf('/') + 1)..] };
            }

            var options = new ObjectCopyOptions
            {
                Parallel = context.Value(parallel),
                PartSize = context.Value(partSize) is { } mib ? (long)mib << 20 : null,
                StateDirectory = context.Value(stateDir) ?? DefaultStateDirectory(context.Host),
                Restart = context.Value(restart),
                VerifyArchiveFully = context.Value(verifyArchive),
            };
            var result = await CopyAsync(context, context.Connect(source, "the source"), from, context.Connect(destination, "the destination"), to, options);
            context.WriteResult("Copy", new JsonObject
            {
                ["Source"] = from.ToString(),
                ["Destination"] = to.ToString(),
                ["Size"] = result.Size,
                ["Parts"] = result.Parts,
                ["PartSize"] = result.PartSize,
                ["PartsSent"] = result.PartsSent,
                ["PartsResumed"] = result.PartsResumed,
                ["SourceETag"] = result.SourceETag,
                ["DestinationETag"] = result.DestinationETag,
                ["SameETag"] = result.SameETag,
                ["MetadataKeys"] = result.MetadataCount,
                ["TagKeys"] = result.TagCount,
                ["Verified"] = result.ArchiveImageId is null ? "size and ETag" : $"size, ETag and archive digest ({(options.VerifyArchiveFully ? "every frame" : "index")})",
                ["ArchiveImageId"] = result.ArchiveImageId,
                ["Seconds"] = Sizes.Seconds(result.Elapsed),
                ["MegabytesPerSecond"] = Sizes.MegabytesPerSecond(result.Size, result.Elapsed),
            });
            return ExitCodes.Success;
        });
        return command;
    }

    internal static async Task<ObjectCopyResult> CopyAsync(
        CliContext context, AwsConnection sourceAws, S3Location from, AwsConnection destinationAws, S3Location to, ObjectCopyOptions options)
    {
        var sourceEndpoint = sourceAws.Endpoint("s3").ToString().TrimEnd('/');
        var destinationEndpoint = destinationAws.Endpoint("s3").ToString().TrimEnd('/');
        if (sourceEndpoint == destinationEndpoint && from == to)
        {
            throw CliException.Usage($"{from} is both the source and the destination.");
        }

        // No SDK retries: the copier's own retry layer repeats a part from its data, which the SDK cannot replay.
        using var sourceClient = sourceAws.CreateObjectStore(options.Parallel * 2, maxErrorRetry: 0);
        using var destinationClient = destinationAws.CreateObjectStore(options.Parallel * 2, maxErrorRetry: 0);
        using var progress = context.Progress("copy", 0);
        var destination = new CopyEnd(destinationClient.Store, destinationEndpoint, to.Bucket, to.Key);
        var copier = new ObjectCopier(new CopyEnd(sourceClient.Store, sourceEndpoint, from.Bucket, from.Key), destination, options)
        {
            Note = context.Note,
            SetTotal = progress.SetTotal,
            Progress = progress.Add,
        };
        context.Note($"Copying {from} at {sourceAws.Describe("s3")} to {to} at {destinationAws.Describe("s3")}");
        try
        {
            var result = await copier.CopyAsync(context.CancellationToken);
            progress.Finish($"copy: {Sizes.Format(result.Size)} in {Sizes.Duration(result.Elapsed)}, {result.PartsSent} parts sent, {result.PartsResumed} resumed");
            return result;
        }
        catch (Exception e) when (copier.UploadId is { } uploadId && e is not CopyVerificationException)
        {
            // Said even with --quiet: it is part of the error, the way out of it.
            var (code, message) = CliErrors.Describe(e, context.CancellationToken.IsCancellationRequested);
            throw new CliException(code,
                $"{message} The parts copied so far are kept at the destination (nothing appears under {to} until the copy completes): "
                + "run the same command again to resume. To give up instead: "
                + $"aws s3api abort-multipart-upload --bucket {to.Bucket} --key '{to.Key}' --upload-id {uploadId} --endpoint-url {destinationEndpoint}"
                + $" --region {destinationAws.Region}{(destinationAws.ProfileName == "default" ? "" : $" --profile {destinationAws.ProfileName}")}",
                e);
        }
    }

    private static string DefaultStateDirectory(CliHost host) =>
        Path.Combine(host.NonEmpty("XDG_STATE_HOME") ?? Path.Combine(host.HomeDirectory, ".local", "state"), "amivault", "copies");
}
