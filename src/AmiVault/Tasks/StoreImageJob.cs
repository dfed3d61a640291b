using AmiVault.Archive;
using AmiVault.Blocks;
using AmiVault.Catalog;
using AmiVault.Hosting;
using AmiVault.ObjectStore;
using Microsoft.Extensions.Logging;

namespace AmiVault.Tasks;

/// <summary>
/// Runs a store task: reads every snapshot of the image from the block store and streams them, as one archive,
/// into a multipart upload it drives itself. The object appears only when the upload completes; any failure aborts
/// the upload and records a readable reason.
/// </summary>
internal sealed class StoreImageJob(
    ITaskCatalog tasks,
    IImageCatalog images,
    ISnapshotCatalog snapshots,
    ITagCatalog tags,
    IBlockStore blocks,
    IObjectStoreProvider objectStores,
    ServerContext server,
    TimeProvider time,
    ILogger<StoreImageJob> logger) : ITaskJob
{
    private const int ListPage = 1024;
    private const int ReadAhead = 16;

    public TaskKind Kind => TaskKind.Store;

    public async Task<IReadOnlyList<string>> RecoverAsync(CancellationToken cancellationToken)
    {
        var unfinished = await tasks.ListUnfinishedStoresAsync(cancellationToken);
        foreach (var task in unfinished.Where(t => t.UploadId is not null))
        {
            await AbortQuietlyAsync(objectStores.ForAccount(task.OwnerId), task, cancellationToken);
            await tasks.UpdateStoreAsync(task with { UploadId = null }, cancellationToken);
        }

        return [.. unfinished.Select(t => t.TaskId)];
    }

    public async Task RunAsync(string taskId, CancellationToken cancellationToken)
    {
        var task = await tasks.GetStoreAsync(taskId, cancellationToken);
        if (task is null || task.State != TaskStates.InProgress)
        {
            return;
        }

        var store = objectStores.ForAccount(task.OwnerId);
        try
        {
            task = await StoreAsync(task, store, cancellationToken);
            await tasks.UpdateStoreAsync(task with { State = TaskStates.Completed, Progress = 100, UploadId = null, EndTime = time.GetUtcNow() }, CancellationToken.None);
            logger.LogInformation("Stored {ImageId} as s3://{Bucket}/{Key}.", task.ImageId, task.Bucket, task.ObjectKey);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var current = await tasks.GetStoreAsync(taskId, CancellationToken.None) ?? task;
            await AbortQuietlyAsync(store, current, CancellationToken.None);
            var reason = DescribeFailure(current, e);
            logger.LogWarning(e, "Store of {ImageId} into {Bucket} failed: {Reason}", task.ImageId, task.Bucket, reason);
            await tasks.UpdateStoreAsync(current with { State = TaskStates.Failed, FailureReason = reason, UploadId = null, EndTime = time.GetUtcNow() }, CancellationToken.None);
        }
    }

    private async Task<StoreTaskRecord> StoreAsync(StoreTaskRecord task, IObjectStore store, CancellationToken cancellationToken)
    {
        var image = await images.GetAsync(task.ImageId, cancellationToken);
        if (image is null || image.OwnerId != task.OwnerId)
        {
            throw new TaskFailedException($"Image {task.ImageId} was deregistered before it could be stored.");
        }

        var parts = new List<(SnapshotRecord Snapshot, IReadOnlyList<KeyValuePair<string, string>> Tags, long BlockCount)>();
        foreach (var snapshotId in image.SnapshotIds.Distinct())
        {
            var snapshot = await RequireSnapshotAsync(task, snapshotId, cancellationToken);
            parts.Add((snapshot, await tags.GetAsync(snapshotId, cancellationToken), await snapshots.CountBlocksAsync(snapshotId, cancellationToken)));
        }

        var storedAt = time.GetUtcNow();
        var manifest = ArchiveManifests.From(image, await tags.GetAsync(image.ImageId, cancellationToken), parts, server.Region, storedAt);
        var totalBlocks = parts.Sum(p => p.BlockCount);

        var uploadId = await store.CreateMultipartUploadAsync(task.Bucket, task.ObjectKey, new ObjectWriteOptions
        {
            ContentType = "application/octet-stream",
            Metadata = StoredObjectMetadata.For(image, server.Region, storedAt),
            Tags = task.ObjectTags.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal),
        }, cancellationToken);
        task = task with { UploadId = uploadId };
        await tasks.UpdateStoreAsync(task, cancellationToken);

        // Even incompressible data must fit in 10,000 parts: bound the archive by the raw blocks plus its index.
        var upperBound = totalBlocks * (IBlockStore.BlockSize + 128L) + (4L << 20);
        var partSize = MultipartUploadStream.ChoosePartSize(upperBound);
        var sendMd5 = server.Options.Buckets.Backend == "external";
        var progress = new ProgressTracker(totalBlocks, time, task.Progress);
        await using (var upload = new MultipartUploadStream(store, task.Bucket, task.ObjectKey, uploadId, partSize, sendMd5, cancellationToken))
        {
            await using (var writer = await ArchiveWriter.CreateAsync(upload, manifest, cancellationToken: cancellationToken))
            {
                foreach (var (snapshot, _, _) in parts)
                {
                    await writer.BeginSnapshotAsync(snapshot.SnapshotId, cancellationToken);
                    await WriteSnapshotAsync(task, snapshot.SnapshotId, writer, progress, cancellationToken);
                }

                await writer.CompleteAsync(cancellationToken);
            }

            // A snapshot deleted while the task ran fails it, even if its blocks were still readable.
            foreach (var (snapshot, _, _) in parts)
            {
                await RequireSnapshotAsync(task, snapshot.SnapshotId, cancellationToken);
            }

            await upload.CompleteAsync();
        }

        return task;
    }

    private async Task WriteSnapshotAsync(StoreTaskRecord task, string snapshotId, ArchiveWriter writer, ProgressTracker progress, CancellationToken cancellationToken)
    {
        var pending = new Queue<(long Index, Task<byte[]?> Data)>();
        var next = 0L;
        while (true)
        {
            var page = await snapshots.ListBlocksAsync(snapshotId, next, ListPage, cancellationToken);
            foreach (var block in page)
            {
                // Reads run ahead of the writer so disk latency overlaps compression; the queue keeps their order.
                pending.Enqueue((block.BlockIndex, BlockHashes.IsZeroHash(block.Hash) ? Task.FromResult<byte[]?>(null) : ReadBlockAsync(task, snapshotId, block.Hash, cancellationToken)));
                if (pending.Count >= ReadAhead)
                {
                    await WriteOneAsync(task, writer, pending.Dequeue(), progress, cancellationToken);
                }
            }

            if (page.Count < ListPage)
            {
                break;
            }

            next = page[^1].BlockIndex + 1;
        }

        while (pending.Count > 0)
        {
            await WriteOneAsync(task, writer, pending.Dequeue(), progress, cancellationToken);
        }
    }

    private async Task WriteOneAsync(StoreTaskRecord task, ArchiveWriter writer, (long Index, Task<byte[]?> Data) block, ProgressTracker progress, CancellationToken cancellationToken)
    {
        var data = await block.Data;
        if (data is null)
        {
            await writer.WriteZeroBlockAsync(block.Index, cancellationToken);
        }
        else
        {
            try
            {
                await writer.WriteBlockAsync(block.Index, data.AsMemory(0, IBlockStore.BlockSize), cancellationToken);
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(data);
            }
        }

        if (progress.Advance(1) is { } percent)
        {
            await tasks.UpdateStoreAsync(task with { Progress = percent }, cancellationToken);
        }
    }

    private async Task<byte[]?> ReadBlockAsync(StoreTaskRecord task, string snapshotId, byte[] hash, CancellationToken cancellationToken)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(IBlockStore.BlockSize);
        try
        {
            await blocks.ReadAsync(hash, buffer.AsMemory(0, IBlockStore.BlockSize), cancellationToken);
            return buffer;
        }
        catch (BlockMissingException)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            await RequireSnapshotAsync(task, snapshotId, cancellationToken);
            throw new TaskFailedException($"A block of snapshot {snapshotId} is missing from the block store.");
        }
    }

    private async Task<SnapshotRecord> RequireSnapshotAsync(StoreTaskRecord task, string snapshotId, CancellationToken cancellationToken)
    {
        var snapshot = await snapshots.GetAsync(snapshotId, cancellationToken);
        if (snapshot is null || snapshot.OwnerId != task.OwnerId)
        {
            throw new TaskFailedException($"Snapshot {snapshotId} of image {task.ImageId} was deleted or became inaccessible during the task.");
        }

        if (snapshot.Status != "completed")
        {
            throw new TaskFailedException($"Snapshot {snapshotId} of image {task.ImageId} is {snapshot.Status}, not completed.");
        }

        return snapshot;
    }

    private static string DescribeFailure(StoreTaskRecord task, Exception e) => e switch
    {
        TaskFailedException failed => failed.Message,
        ObjectStoreException s3 when s3.Code == "NoSuchBucket" => $"The bucket {task.Bucket} was deleted during the task.",
        ObjectStoreException s3 when s3.Code == "AccessDenied" => $"The bucket {task.Bucket} is no longer writable by this account.",
        ObjectStoreException s3 => $"Writing to s3://{task.Bucket}/{task.ObjectKey} failed: {s3.Code}: {s3.Message}",
        _ => $"Internal error while storing the image ({e.GetType().Name}); see the server log.",
    };

    private async Task AbortQuietlyAsync(IObjectStore store, StoreTaskRecord task, CancellationToken cancellationToken)
    {
        if (task.UploadId is null)
        {
            return;
        }

        try
        {
            await store.AbortMultipartUploadAsync(task.Bucket, task.ObjectKey, task.UploadId, cancellationToken);
        }
        catch (ObjectStoreException e) when (e.Code == "NoSuchUpload")
        {
        }
        catch (Exception e) when (e is ObjectStoreException or IOException or HttpRequestException)
        {
            logger.LogWarning(e, "Could not abort upload {UploadId} of s3://{Bucket}/{Key}.", task.UploadId, task.Bucket, task.ObjectKey);
        }
    }
}
