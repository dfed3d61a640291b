using System.Diagnostics;
using System.Text.Json.Nodes;
using AmiVault.Cli.Common;
using AmiVault.Transfers;

namespace AmiVault.Cli;

/// <summary>
/// One `amivault sync` invocation: its two sides, the passes (one, or one per --watch interval), what is printed as
/// objects land (a JSON line each with --output json) and the summary of each pass, and the exit code.
/// </summary>
internal sealed class SyncRun(
    CliContext context, S3Location from, S3Location to, AwsConnection sourceAws, AwsConnection destinationAws, SyncOptions options, bool restore, string? nameTemplate,
    string? aliasPrefix)
{
    private readonly Lock _output = new();

    public async Task<int> RunAsync(TimeSpan? interval, TimeSpan stopGrace)
    {
        var sourceEndpoint = sourceAws.Endpoint("s3").ToString().TrimEnd('/');
        var destinationEndpoint = destinationAws.Endpoint("s3").ToString().TrimEnd('/');
        if (sourceEndpoint == destinationEndpoint && from.Bucket == to.Bucket && (from.Key.StartsWith(to.Key, StringComparison.Ordinal) || to.Key.StartsWith(from.Key, StringComparison.Ordinal)))
        {
            throw CliException.Usage($"{from} and {to} overlap: a sync must not copy into its own source.");
        }

        // No SDK retries: the copier's own retry layer repeats a part from its data, which the SDK cannot replay.
        var connections = options.Objects * options.Copy.Parallel + 4;
        using var sourceClient = sourceAws.CreateObjectStore(connections, maxErrorRetry: 0);
        using var destinationClient = destinationAws.CreateObjectStore(connections, maxErrorRetry: 0);
        using var ec2 = restore && !options.DryRun ? destinationAws.CreateEc2() : null;
        using var ssm = aliasPrefix is not null && ec2 is not null ? destinationAws.CreateSsm() : null;
        var aliases = ssm is null ? null : new ImageAliases(ssm, aliasPrefix!);
        var sourceEnd = new SyncEnd(sourceClient.Store, sourceEndpoint, from.Bucket, from.Key);
        var destinationEnd = new SyncEnd(destinationClient.Store, destinationEndpoint, to.Bucket, to.Key);
        context.Note($"Syncing {from} at {sourceAws.Describe("s3")} to {to} at {destinationAws.Describe("s3")}{(options.DryRun ? " (dry run: nothing is written)" : "")}");

        // Ctrl-C or SIGTERM stops gently (no new object or part; parts in flight finish and are journaled), and
        // cuts what is still running after the grace period.
        var stop = context.CancellationToken;
        using var hard = new CancellationTokenSource();
        using var grace = stop.Register(() => hard.CancelAfter(stopGrace));
        for (var pass = 1; ; pass++)
        {
            int code;
            try
            {
                code = await PassAsync(pass, interval is not null, sourceEnd, destinationEnd, ec2, aliases, stop, hard.Token);
            }
            catch (OperationCanceledException) when (interval is not null && stop.IsCancellationRequested && !hard.IsCancellationRequested)
            {
                // Stopped while listing or planning: nothing was being written.
                context.Note("Stopped; nothing was in flight.");
                return ExitCodes.Success;
            }

            if (interval is not { } every || stop.IsCancellationRequested)
            {
                return code;
            }

            context.Note($"Next pass at {DateTime.Now.Add(every):HH:mm:ss} (every {every}); Ctrl-C to stop.");
            try
            {
                await Task.Delay(every, stop);
            }
            catch (OperationCanceledException)
            {
                context.Note("Stopped between passes; nothing was in flight.");
                return code;
            }
        }
    }

    private async Task<int> PassAsync(int pass, bool watching, SyncEnd sourceEnd, SyncEnd destinationEnd, Amazon.EC2.IAmazonEC2? ec2, ImageAliases? aliases, CancellationToken stop, CancellationToken hard)
    {
        var clock = Stopwatch.StartNew();
        var tally = new SyncTally();
        var lines = new JsonArray();
        var aliasLines = new JsonArray();
        var candidates = new AliasCandidates();
        using var progress = context.Progress("sync", 0);
        ObjectSync? sync = null;
        SyncRestorer? restorer = null;
        sync = new ObjectSync(sourceEnd, destinationEnd, options)
        {
            Note = context.Note,
            Progress = progress.Add,
            Done = async (outcome, token) =>
            {
                var line = Describe(outcome, sourceEnd, destinationEnd);
                if (restorer is not null && outcome.Status is SyncStatus.Copied or SyncStatus.Current)
                {
                    var restored = SyncRestoreResult.None;
                    try
                    {
                        restored = await restorer.RestoreAsync(outcome.Item, line, token, stop);
                        tally.Restored(restored.Restored);
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !hard.IsCancellationRequested)
                    {
                        var (code, message) = CliErrors.Describe(e, stop.IsCancellationRequested);
                        line["Restore"] = "failed";
                        line["Error"] = message;
                        tally.Fail(code);
                        Error($"{line["Destination"]}: the restore failed: {message}");
                    }

                    if (aliases is not null && restored.AvailableImageId is not null)
                    {
                        candidates.Offer(restored, (string)line["Destination"]!);
                    }
                }

                tally.Add(outcome);
                if (outcome.Error is { } error && outcome.Status is SyncStatus.Failed or SyncStatus.Unverified)
                {
                    var (code, message) = CliErrors.Describe(error, false);
                    line["Error"] = message;
                    tally.Fail(code);
                    Error($"{line["Source"]}: {message}");
                }

                if (outcome.Status != SyncStatus.Current || line["Restore"] is not null && (string?)line["Restore"] != "already restored")
                {
                    Emit(line, lines);
                }
            },
        };

        restorer = ec2 is null ? null : new SyncRestorer(ec2, sync, destinationEnd, nameTemplate);

        var plan = await sync.PlanAsync(stop);
        progress.SetTotal(plan.Bytes);
        progress.Detail = () => $"{tally.Finished} of {plan.Copies.Count} objects";
        context.Note(plan.Copies.Count == 0 && plan.Deletions.Count == 0
            ? $"Nothing to copy: the {plan.Current.Count} stored images selected are current at the destination{Excluded(plan)}."
            : $"{plan.Copies.Count} to copy ({Sizes.Format(plan.Bytes)}), {plan.Current.Count} current{Excluded(plan)}"
                + (options.Delete ? $", {plan.Deletions.Count} to delete" : "") + ".");

        IReadOnlyList<SyncOutcome> outcomes;
        try
        {
            outcomes = await sync.RunAsync(plan, hard, stop);
        }
        catch (OperationCanceledException) when (hard.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Interrupted,
                "Interrupted: parts still in flight after the grace period were cut. Those already sent are journaled; run the same command again to resume.");
        }

        if (aliases is not null)
        {
            await PointAliasesAsync(aliases, candidates, tally, aliasLines, hard);
        }

        var bytes = outcomes.Where(o => o.Status == SyncStatus.Copied).Sum(o => o.Item.Size);
        progress.Finish($"sync: {tally.Copied} of {plan.Copies.Count} objects, {Sizes.Format(bytes)} in {Sizes.Duration(clock.Elapsed)}"
            + (tally.Stopped > 0 ? $", {tally.Stopped} stopped (journaled: run again to resume)" : ""));
        var summary = new JsonObject
        {
            ["Source"] = from.ToString(),
            ["Destination"] = to.ToString(),
            ["DryRun"] = options.DryRun,
            ["Copied"] = tally.Copied,
            ["Current"] = plan.Current.Count,
            ["Excluded"] = plan.Excluded,
            ["Failed"] = tally.Failed,
            ["Unverified"] = tally.Unverified,
            ["Stopped"] = tally.Stopped,
            ["Deleted"] = tally.Deleted,
            ["Restored"] = tally.RestoredCount,
            ["Bytes"] = options.DryRun ? plan.Bytes : bytes,
            ["Seconds"] = Sizes.Seconds(clock.Elapsed),
            ["MegabytesPerSecond"] = Sizes.MegabytesPerSecond(bytes, clock.Elapsed),
        };
        if (aliases is not null)
        {
            summary["AliasesUpdated"] = tally.AliasesUpdated;
        }

        if (watching)
        {
            summary["Pass"] = pass;
        }

        if (context.Output == OutputFormat.Json)
        {
            Emit(new JsonObject { ["Summary"] = summary }, lines);
        }
        else
        {
            summary["Objects"] = lines;
            if (aliases is not null)
            {
                summary["Aliases"] = aliasLines;
            }
            context.WriteResult("Sync", summary);
        }

        // A watch is meant to be stopped: that is a failure only when it cut a copy short.
        return tally.ExitCode(stop.IsCancellationRequested && (!watching || tally.Stopped > 0));
    }

    /// <summary>
    /// After the pass, so that of several archives of one image name (successive versions of a golden image) the
    /// newest wins whatever order they finished in. Only aliases that moved, or could not be moved, are reported.
    /// </summary>
    private async Task PointAliasesAsync(ImageAliases aliases, AliasCandidates candidates, SyncTally tally, JsonArray aliasLines, CancellationToken cancellationToken)
    {
        foreach (var (name, restored, destination) in candidates.Newest())
        {
            var line = new JsonObject { ["Alias"] = aliases.NameOf(name), ["ImageId"] = restored.AvailableImageId, ["From"] = destination };
            try
            {
                var update = await aliases.PointAsync(name, restored.AvailableImageId!, $"{name}, restored by amivault sync from {restored.SourceImageId} ({destination})", cancellationToken);
                tally.Aliased(update.Changed);
                if (update.Changed)
                {
                    line["Status"] = "updated";
                    line["Version"] = update.Version;
                    Emit(line, aliasLines);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                var (code, message) = CliErrors.Describe(e, false);
                line["Status"] = "failed";
                line["Error"] = message;
                tally.Fail(code);
                Error($"{line["Alias"]}: the alias was not pointed at {restored.AvailableImageId}: {message}");
                Emit(line, aliasLines);
            }
        }
    }

    private static string Excluded(SyncPlan plan) => plan.Excluded > 0 ? $", {plan.Excluded} left out by the filters" : "";

    private static JsonObject Describe(SyncOutcome outcome, SyncEnd sourceEnd, SyncEnd destinationEnd)
    {
        var item = outcome.Item;
        var line = new JsonObject
        {
            ["Key"] = item.RelativeKey,
            ["Status"] = outcome.Status switch
            {
                SyncStatus.WouldCopy => "would-copy",
                SyncStatus.WouldDelete => "would-delete",
                _ => outcome.Status.ToString().ToLowerInvariant(),
            },
            ["Source"] = outcome.Status is SyncStatus.Deleted or SyncStatus.WouldDelete ? null : sourceEnd.Uri(item.RelativeKey),
            ["Destination"] = destinationEnd.Uri(item.RelativeKey),
            ["Size"] = item.Size,
            ["Reason"] = item.Reason,
        };
        if (outcome.Copy is { } copy)
        {
            line["PartsSent"] = copy.PartsSent;
            line["PartsResumed"] = copy.PartsResumed;
            line["SameETag"] = copy.SameETag;
            line["Verified"] = copy.ArchiveImageId is null ? "size and ETag" : "size, ETag and archive digest";
            line["ArchiveImageId"] = copy.ArchiveImageId;
            line["Seconds"] = Sizes.Seconds(copy.Elapsed);
            line["MegabytesPerSecond"] = Sizes.MegabytesPerSecond(copy.Size, copy.Elapsed);
        }

        return line;
    }

    /// <summary>With --output json, one compact line as it happens (a stream for scripts); otherwise kept for the summary.</summary>
    private void Emit(JsonObject line, JsonArray lines)
    {
        lock (_output)
        {
            if (context.Output == OutputFormat.Json)
            {
                context.Host.Out.WriteLine(line.ToJsonString());
                context.Host.Out.Flush();
            }
            else
            {
                lines.Add(line);
            }
        }
    }

    /// <summary>Said even with --quiet: a failed object is part of the result.</summary>
    private void Error(string message)
    {
        lock (_output)
        {
            context.Host.Error.WriteLine($"amivault sync: {message}");
            context.Host.Error.Flush();
        }
    }
}
