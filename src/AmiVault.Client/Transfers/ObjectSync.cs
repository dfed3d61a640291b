using AmiVault.Archive;
using AmiVault.ObjectStore;

namespace AmiVault.Transfers;

/// <summary>
/// Keeps the stored images (`*.bin` objects) under one prefix replicated under another, across endpoints with their
/// own credentials. A pass lists both sides and plans: an archive the destination lacks, holds with another size, or
/// holds with another ETag and another archive digest (a copy made with other part sizes has another ETag but the
/// same digest) is copied by <see cref="ObjectCopier"/> — streamed, resumable, verified, metadata and tags carried —
/// several objects at once, all their part buffers within one <see cref="TransferBudget"/>. Nothing is deleted unless
/// <see cref="SyncOptions.Delete"/> says so.
/// </summary>
internal sealed class ObjectSync(SyncEnd source, SyncEnd destination, SyncOptions options)
{
    private const string ArchiveSuffix = ".bin";

    private readonly ObjectCopyOptions _copy = options.Copy with { Budget = options.Copy.Budget ?? new TransferBudget(options.Copy.MemoryBudget) };

    /// <summary>Lines for the user (resuming a copy, starting one over).</summary>
    public Action<string> Note { get; init; } = _ => { };

    /// <summary>Bytes copied (or found already copied by an interrupted run), across all objects.</summary>
    public Action<long> Progress { get; init; } = _ => { };

    /// <summary>
    /// Called once per object as it is done (copied, current, failed, stopped, deleted, or what a dry run would do),
    /// in the worker that handled it, so that what follows an arrival (a restore) runs as objects land.
    /// </summary>
    public Func<SyncOutcome, CancellationToken, Task> Done { get; init; } = (_, _) => Task.CompletedTask;

    public async Task<SyncPlan> PlanAsync(CancellationToken cancellationToken)
    {
        var sources = await ListAsync(source, cancellationToken);
        var targets = await ListAsync(destination, cancellationToken);
        var copies = new List<SyncItem>();
        var current = new List<SyncItem>();
        var deletions = new List<SyncItem>();
        var excluded = 0;
        foreach (var (key, original) in sources)
        {
            var name = options.Filter.NeedsName ? await StoredNameAsync(source.At(key), cancellationToken) : null;
            if (!options.Filter.Admits(key, name, original.LastModified))
            {
                excluded++;
                continue;
            }

            var reason = !targets.TryGetValue(key, out var there) ? "missing at the destination"
                : there.Size != original.Size ? $"{there.Size} bytes at the destination, {original.Size} at the source"
                : ETags.Same(there.ETag, original.ETag) || await SameArchiveAsync(key, original, there, cancellationToken) ? null
                : "another version at the destination (ETag and archive digest differ)";
            (reason is null ? current : copies).Add(new SyncItem(key, original.Size, reason ?? "current"));
        }

        if (options.Delete)
        {
            foreach (var (key, stale) in targets.Where(t => !sources.ContainsKey(t.Key)))
            {
                var name = options.Filter.NeedsName ? await StoredNameAsync(destination.At(key), cancellationToken) : null;
                if (options.Filter.Admits(key, name, null))
                {
                    deletions.Add(new SyncItem(key, stale.Size, "gone from the source"));
                }
            }
        }

        return new SyncPlan(copies, current, deletions, excluded);
    }

    /// <summary>
    /// Carries out <paramref name="plan"/>. <paramref name="stop"/> asks for a gentle stop: no new object or part
    /// starts, parts in flight finish and are journaled; <paramref name="cancellationToken"/> cuts everything short.
    /// </summary>
    public async Task<IReadOnlyList<SyncOutcome>> RunAsync(SyncPlan plan, CancellationToken cancellationToken, CancellationToken stop)
    {
        var outcomes = new List<SyncOutcome>();
        async Task ReportAsync(SyncOutcome outcome, CancellationToken token)
        {
            lock (outcomes)
            {
                outcomes.Add(outcome);
            }

            await Done(outcome, token);
        }

        if (options.DryRun)
        {
            foreach (var item in plan.Copies)
            {
                await ReportAsync(new SyncOutcome(item, SyncStatus.WouldCopy), cancellationToken);
            }

            foreach (var item in plan.Deletions)
            {
                await ReportAsync(new SyncOutcome(item, SyncStatus.WouldDelete), cancellationToken);
            }

            return outcomes;
        }

        var work = plan.Copies.Select(i => (Item: i, Copy: true)).Concat(plan.Current.Select(i => (Item: i, Copy: false)));
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = options.Objects, CancellationToken = cancellationToken }, async (next, token) =>
        {
            if (stop.IsCancellationRequested)
            {
                return;
            }

            await ReportAsync(next.Copy ? await CopyAsync(next.Item, token, stop) : new SyncOutcome(next.Item, SyncStatus.Current), token);
        });

        foreach (var item in plan.Deletions)
        {
            if (stop.IsCancellationRequested)
            {
                break;
            }

            var target = destination.At(item.RelativeKey);
            await target.Store.DeleteObjectAsync(target.Bucket, target.Key, cancellationToken);
            await ReportAsync(new SyncOutcome(item, SyncStatus.Deleted), cancellationToken);
        }

        return outcomes;
    }

    /// <summary>The archive at the destination under <paramref name="relativeKey"/>, opened and its digest checked; null when it is not an AmiVault archive.</summary>
    public async Task<ArchiveReader?> OpenDestinationArchiveAsync(string relativeKey, CancellationToken cancellationToken)
    {
        var target = destination.At(relativeKey);
        var info = await target.Store.HeadObjectAsync(target.Bucket, target.Key, cancellationToken);
        return await Copier(relativeKey).OpenArchiveAsync(target, info.ETag, info.Size, cancellationToken);
    }

    private async Task<SyncOutcome> CopyAsync(SyncItem item, CancellationToken cancellationToken, CancellationToken stop)
    {
        try
        {
            return new SyncOutcome(item, SyncStatus.Copied, await Copier(item.RelativeKey).CopyAsync(cancellationToken, stop));
        }
        catch (OperationCanceledException e) when (stop.IsCancellationRequested || cancellationToken.IsCancellationRequested)
        {
            return new SyncOutcome(item, SyncStatus.Stopped, Error: e);
        }
        catch (Exception e) when (e is CopyVerificationException or ArchiveFormatException)
        {
            return new SyncOutcome(item, SyncStatus.Unverified, Error: e);
        }
        catch (Exception e)
        {
            // One object's failure (a service error, an unreachable endpoint after retries) does not stop the others.
            return new SyncOutcome(item, SyncStatus.Failed, Error: e);
        }
    }

    private ObjectCopier Copier(string relativeKey) =>
        new(source.At(relativeKey), destination.At(relativeKey), _copy) { Note = Note, Progress = Progress };

    /// <summary>Same size, other ETag (other part sizes, or SSE-KMS): the same image if the archive digests agree.</summary>
    private async Task<bool> SameArchiveAsync(string key, ObjectSummary original, ObjectSummary there, CancellationToken cancellationToken)
    {
        var copier = Copier(key);
        try
        {
            var ours = await copier.OpenArchiveAsync(source.At(key), original.ETag, original.Size, cancellationToken);
            var theirs = await copier.OpenArchiveAsync(destination.At(key), there.ETag, there.Size, cancellationToken);
            return ours is not null && theirs is not null && ours.Digest == theirs.Digest;
        }
        catch (ArchiveFormatException)
        {
            // One of them is damaged: copy, and let the copy's own check of the source report it.
            return false;
        }
    }

    private static async Task<string?> StoredNameAsync(CopyEnd end, CancellationToken cancellationToken)
    {
        var info = await end.Store.HeadObjectAsync(end.Bucket, end.Key, cancellationToken);
        return info.Metadata.GetValueOrDefault(StoredImageMetadata.Name);
    }

    /// <summary>The `*.bin` objects under <paramref name="end"/>'s prefix, by key below it.</summary>
    private static async Task<SortedDictionary<string, ObjectSummary>> ListAsync(SyncEnd end, CancellationToken cancellationToken)
    {
        var found = new SortedDictionary<string, ObjectSummary>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            var page = await end.Store.ListObjectsAsync(end.Bucket, new ListObjectsQuery { Prefix = end.Prefix, ContinuationToken = token }, cancellationToken);
            foreach (var summary in page.Objects.Where(o => o.Key.EndsWith(ArchiveSuffix, StringComparison.Ordinal)))
            {
                found[summary.Key[end.Prefix.Length..]] = summary;
            }

            token = page.IsTruncated ? page.NextContinuationToken : null;
        }
        while (token is not null);
        return found;
    }
}
