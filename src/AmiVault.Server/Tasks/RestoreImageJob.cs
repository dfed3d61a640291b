using AmiVault.Archive;
using AmiVault.Blocks;
using AmiVault.Catalog;
using AmiVault.ObjectStore;
using AmiVault.Telemetry;
using Microsoft.Extensions.Logging;
using AmiVault.Iam;

namespace AmiVault.Tasks;

/// <summary>
/// Runs a restore task: reads the archive with parallel ranged GETs pinned to its ETag, checks every block against
/// its SHA-256 and the archive's digests, writes the blocks into the new snapshots, and only then makes the snapshots
/// `completed` and the image `available`. On any failure the image is `failed` and its snapshots `error`: no image
/// is ever available with wrong or missing data.
/// </summary>
internal sealed class RestoreImageJob(
    ITaskCatalog tasks,
    IImageCatalog images,
    ISnapshotCatalog snapshots,
    IBlockStore blocks,
    BlockKeys keys,
    IObjectStoreProvider objectStores,
    TaskPermissions permissions,
    Authorizer authorizer,
    TimeProvider time,
    ServerMetrics metrics,
    ILogger<RestoreImageJob> logger) : ITaskJob
{
    public TaskKind Kind => TaskKind.Restore;

    /// <summary>A restore is idempotent (blocks are rewritten at their indices), so an unfinished one simply runs again.</summary>
    public async Task<IReadOnlyList<string>> RecoverAsync(CancellationToken cancellationToken) =>
        [.. (await tasks.ListUnfinishedRestoresAsync(cancellationToken)).Select(t => t.TaskId)];

    public async Task RunAsync(string taskId, CancellationToken cancellationToken)
    {
        var task = await tasks.GetRestoreAsync(taskId, cancellationToken);
        if (task is null || task.State != TaskStates.InProgress)
        {
            return;
        }

        try
        {
            await RestoreAsync(task, cancellationToken);
            await tasks.UpdateRestoreAsync(task with { State = TaskStates.Completed, EndTime = time.GetUtcNow() }, CancellationToken.None);
            metrics.TaskFinished("restore", TaskStates.Completed);
            logger.LogInformation("Restored s3://{Bucket}/{Key} as {ImageId}.", task.Bucket, task.ObjectKey, task.ImageId);
        }
        catch (Exception e) when (e is not TaskLeaseLostException && (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
        {
            var reason = e switch
            {
                TaskFailedException failed => failed.Message,
                _ when ServerFailureText.IsDiskFull(e) => $"The task stopped: {ServerFailureText.DiskFull}.",
                ArchiveFormatException archive => $"s3://{task.Bucket}/{task.ObjectKey} is corrupt: {archive.Message}",
                ObjectStoreException s3 when s3.Code is "PreconditionFailed" => $"s3://{task.Bucket}/{task.ObjectKey} was replaced during the restore.",
                ObjectStoreException s3 when s3.Code is "NoSuchKey" or "NoSuchBucket" => $"s3://{task.Bucket}/{task.ObjectKey} was deleted during the restore.",
                ObjectStoreException s3 => $"Reading s3://{task.Bucket}/{task.ObjectKey} failed: {s3.Code}: {s3.Message}",
                IOException io => $"Writing the restored snapshots failed: {ServerFailureText.Of(io)}",
                _ => $"Internal error while restoring the image ({e.GetType().Name}); see the server log.",
            };
            logger.LogWarning(e, "Restore of s3://{Bucket}/{Key} as {ImageId} failed: {Reason}", task.Bucket, task.ObjectKey, task.ImageId, reason);
            await FailAsync(task, reason);
            metrics.TaskFinished("restore", TaskStates.Failed);
        }
    }

    private async Task RestoreAsync(RestoreTaskRecord task, CancellationToken cancellationToken)
    {
        var needs = permissions.ForRestore(task.Bucket, task.ObjectKey);
        void RequirePermissions() => permissions.Require(task.PrincipalArn, needs);

        RequirePermissions();
        var store = TaskBuckets.StoreOf(objectStores, authorizer, task.Bucket, task.OwnerId);
        var info = await store.HeadObjectAsync(task.Bucket, task.ObjectKey, cancellationToken);
        if (task.ETag is not null && !ETags.Same(info.ETag, task.ETag))
        {
            throw new TaskFailedException($"s3://{task.Bucket}/{task.ObjectKey} was replaced after the restore was requested.");
        }

        var reader = await ArchiveReader.OpenAsync(new ObjectArchiveSource(store, task.Bucket, task.ObjectKey, info.ETag, info.Size), cancellationToken);
        if (reader.Manifest.Snapshots.Count != task.SnapshotIds.Count)
        {
            throw new TaskFailedException($"s3://{task.Bucket}/{task.ObjectKey} changed: it lists {reader.Manifest.Snapshots.Count} snapshots, not {task.SnapshotIds.Count}.");
        }

        var progress = new SnapshotProgress(snapshots, task.SnapshotIds, reader.Manifest.Snapshots.Sum(s => s.BlockCount), time);
        for (var i = 0; i < task.SnapshotIds.Count; i++)
        {
            var snapshotId = task.SnapshotIds[i];
            RequirePermissions();
            var scope = keys.For(await RequireRestoringAsync(task, snapshotId, cancellationToken));

            // The whole index is recorded first, in one transaction: every block is then referenced before its data
            // is written, so reclamation can never take it, and the snapshot stays pending until the data is there.
            // An encrypted snapshot's blocks are recorded at their addresses in the owner's scope, which the archive's
            // SHA-256s give.
            await snapshots.PutBlocksAsync(snapshotId, reader.ListBlocks(i).Select(b => new SnapshotBlock(b.BlockIndex, scope.AddressOf(b.Sha256.Span))), cancellationToken);
            var restored = 0L;
            await using (var writer = new ConcurrentBlockWriter(blocks, scope, progress.AdvanceAsync, cancellationToken))
            {
                try
                {
                    await reader.RestoreSnapshotAsync(i, async (block, ct) =>
                    {
                        Interlocked.Increment(ref restored);
                        if (block.IsZero)
                        {
                            await progress.AdvanceAsync(ct);
                        }
                        else
                        {
                            await writer.WriteAsync(block.Sha256, block.Data, ct);
                            metrics.Restored(block.Data.Length);
                        }
                    }, cancellationToken: writer.Token);
                }
                catch (OperationCanceledException) when (writer.Failed)
                {
                    // The write that failed is the reason; CompleteAsync throws it.
                }

                await writer.CompleteAsync();
            }

            // Every block the archive lists was read, checked against its SHA-256 and written: the data is complete.
            var expected = reader.Manifest.Snapshots[i].BlockCount;
            if (restored != expected || await snapshots.CountBlocksAsync(snapshotId, cancellationToken) != expected)
            {
                throw new TaskFailedException($"Snapshot {snapshotId} got {restored} blocks from the archive, which lists {expected}.");
            }
        }

        RequirePermissions();
        var now = time.GetUtcNow();
        foreach (var snapshotId in task.SnapshotIds)
        {
            var snapshot = await RequireRestoringAsync(task, snapshotId, cancellationToken);
            await snapshots.UpdateAsync(snapshot with { Status = SnapshotStatus.Completed, Progress = 100, CompletionTime = now }, cancellationToken);
        }

        if (await images.GetAsync(task.ImageId, cancellationToken) is null)
        {
            throw new TaskFailedException($"Image {task.ImageId} was deregistered before its restore finished.");
        }

        await images.UpdateStateAsync(task.ImageId, "available", null, null, cancellationToken);
    }

    /// <summary>A snapshot of the restore, pending (or completed by an attempt that crashed before the image was made available).</summary>
    private async Task<SnapshotRecord> RequireRestoringAsync(RestoreTaskRecord task, string snapshotId, CancellationToken cancellationToken) =>
        await snapshots.GetAsync(snapshotId, cancellationToken) is { Status: SnapshotStatus.Pending or SnapshotStatus.Completed } snapshot
            ? snapshot
            : throw new TaskFailedException($"Snapshot {snapshotId} being restored for {task.ImageId} was deleted or changed during the restore.");

    private async Task FailAsync(RestoreTaskRecord task, string reason)
    {
        foreach (var snapshotId in task.SnapshotIds)
        {
            if (await snapshots.GetAsync(snapshotId, CancellationToken.None) is { } snapshot)
            {
                await snapshots.UpdateAsync(snapshot with { Status = SnapshotStatus.Error, StateMessage = reason }, CancellationToken.None);
            }
        }

        if (await images.GetAsync(task.ImageId, CancellationToken.None) is not null)
        {
            await images.UpdateStateAsync(task.ImageId, "failed", "Client.RestoreImageTaskFailed", reason, CancellationToken.None);
        }

        await tasks.UpdateRestoreAsync(task with { State = TaskStates.Failed, FailureReason = reason, EndTime = time.GetUtcNow() }, CancellationToken.None);
    }
}
