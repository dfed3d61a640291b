using AmiVault.Archive;
using AmiVault.Blocks;
using AmiVault.Catalog;
using AmiVault.ObjectStore;
using Microsoft.Extensions.Logging;

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
    IObjectStoreProvider objectStores,
    TimeProvider time,
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
            logger.LogInformation("Restored s3://{Bucket}/{Key} as {ImageId}.", task.Bucket, task.ObjectKey, task.ImageId);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var reason = e switch
            {
                TaskFailedException failed => failed.Message,
                ArchiveFormatException archive => $"s3://{task.Bucket}/{task.ObjectKey} is corrupt: {archive.Message}",
                ObjectStoreException s3 when s3.Code == "PreconditionFailed" => $"s3://{task.Bucket}/{task.ObjectKey} was replaced during the restore.",
                ObjectStoreException s3 => $"Reading s3://{task.Bucket}/{task.ObjectKey} failed: {s3.Code}: {s3.Message}",
                _ => $"Internal error while restoring the image ({e.GetType().Name}); see the server log.",
            };
            logger.LogWarning(e, "Restore of s3://{Bucket}/{Key} as {ImageId} failed: {Reason}", task.Bucket, task.ObjectKey, task.ImageId, reason);
            await FailAsync(task, reason);
        }
    }

    private async Task RestoreAsync(RestoreTaskRecord task, CancellationToken cancellationToken)
    {
        var store = objectStores.ForAccount(task.OwnerId);
        var info = await store.HeadObjectAsync(task.Bucket, task.ObjectKey, cancellationToken);
        if (task.ETag is not null && info.ETag != task.ETag)
        {
            throw new TaskFailedException($"s3://{task.Bucket}/{task.ObjectKey} was replaced after the restore was requested.");
        }

        var reader = await ArchiveReader.OpenAsync(new ObjectArchiveSource(store, task.Bucket, task.ObjectKey, info.ETag, info.Size), cancellationToken);
        if (reader.Manifest.Snapshots.Count != task.SnapshotIds.Count)
        {
            throw new TaskFailedException($"s3://{task.Bucket}/{task.ObjectKey} changed: it lists {reader.Manifest.Snapshots.Count} snapshots, not {task.SnapshotIds.Count}.");
        }

        var total = reader.Manifest.Snapshots.Sum(s => s.BlockCount);
        var progress = new ProgressTracker(total, time);
        for (var i = 0; i < task.SnapshotIds.Count; i++)
        {
            var snapshotId = task.SnapshotIds[i];
            if (await snapshots.GetAsync(snapshotId, cancellationToken) is null)
            {
                throw new TaskFailedException($"Snapshot {snapshotId} being restored was deleted.");
            }

            // The whole index is recorded first, in one transaction: every block is then referenced before its data
            // is written, so reclamation can never take it, and the snapshot stays pending until the data is there.
            await snapshots.PutBlocksAsync(snapshotId, reader.ListBlocks(i).Select(b => new SnapshotBlock(b.BlockIndex, b.Sha256.ToArray())), cancellationToken);
            await reader.RestoreSnapshotAsync(i, async (block, ct) =>
            {
                if (!block.IsZero)
                {
                    await blocks.PutAsync(block.Sha256.ToArray(), block.Data, static () => Task.CompletedTask, ct);
                }

                if (progress.Advance(1) is { } percent)
                {
                    await SetProgressAsync(task, percent, ct);
                }
            }, cancellationToken: cancellationToken);

            var written = await snapshots.CountBlocksAsync(snapshotId, cancellationToken);
            if (written != reader.Manifest.Snapshots[i].BlockCount)
            {
                throw new TaskFailedException($"Snapshot {snapshotId} has {written} blocks after the restore; the archive lists {reader.Manifest.Snapshots[i].BlockCount}.");
            }
        }

        var now = time.GetUtcNow();
        foreach (var snapshotId in task.SnapshotIds)
        {
            var snapshot = (await snapshots.GetAsync(snapshotId, cancellationToken))!;
            await snapshots.UpdateAsync(snapshot with { Status = "completed", Progress = 100, CompletionTime = now }, cancellationToken);
        }

        await images.UpdateStateAsync(task.ImageId, "available", null, null, cancellationToken);
    }

    private async Task SetProgressAsync(RestoreTaskRecord task, int percent, CancellationToken cancellationToken)
    {
        foreach (var snapshotId in task.SnapshotIds)
        {
            if (await snapshots.GetAsync(snapshotId, cancellationToken) is { Status: "pending" } snapshot && snapshot.Progress < percent)
            {
                await snapshots.UpdateAsync(snapshot with { Progress = percent }, cancellationToken);
            }
        }
    }

    private async Task FailAsync(RestoreTaskRecord task, string reason)
    {
        foreach (var snapshotId in task.SnapshotIds)
        {
            if (await snapshots.GetAsync(snapshotId, CancellationToken.None) is { } snapshot)
            {
                await snapshots.UpdateAsync(snapshot with { Status = "error", StateMessage = reason }, CancellationToken.None);
            }
        }

        if (await images.GetAsync(task.ImageId, CancellationToken.None) is not null)
        {
            await images.UpdateStateAsync(task.ImageId, "failed", "Client.RestoreImageTaskFailed", reason, CancellationToken.None);
        }

        await tasks.UpdateRestoreAsync(task with { State = TaskStates.Failed, FailureReason = reason, EndTime = time.GetUtcNow() }, CancellationToken.None);
    }
}
