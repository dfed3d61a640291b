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
        var tuning = new CopyTuningOptions();
        var restart = new Option<bool>("--restart") { Description = "Abandon an unfinished copy to the same destination (abort its upload) and start over." };
        var source = new ConnectionOptions("source-", "source");
        var destination = new ConnectionOptions("dest-", "destination");

        var command = new Command("copy", "Copy an object between two S3 endpoints (different credentials, partitions), streaming, resumable, verified.")
        {
            sourceArgument, destinationArgument, restart,
        };
        tuning.AddTo(command);
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

            var options = tuning.Read(context) with { Restart = context.Value(restart) };
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
}
