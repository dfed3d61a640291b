using AmiVault.Archive;
using AmiVault.Blocks;
using AmiVault.Catalog;
using AmiVault.Iam;
using AmiVault.ObjectStore;
using Microsoft.Extensions.Logging;
using AmiVault.Ebs;
using AmiVault.Configuration;
using AmiVault.Telemetry;

namespace AmiVault.Tasks;

/// <summary>
/// Runs a store task: reads every snapshot of the image from the block store and streams them, as one archive,
/// into a multipart upload it drives itself. The object appears only when the upload completes; any failure aborts
/// the upload and records a readable reason. A task interrupted by a crash runs again from the start: the uploads
/// of the earlier attempt are aborted first, so none is left behind.
/// </summary>
internal sealed class StoreImageJob(
    ITaskCatalog tasks,
    IImageCatalog images,
    ISnapshotCatalog snapshots,
    ITagCatalog tags,
    IResourceSharing sharing,
    IBlockStore blocks,
    BlockKeys keys,
    IObjectStoreProvider objectStores,
    ServerContext server,
    TaskPermissions permissions,
    Authorizer authorizer,
    TimeProvider time,
    ServerMetrics metrics,
    ILogger<StoreImageJob> logger) : ITaskJob
{
    private const int ListPage = 1024;
    private const int ReadAhead = 16;

    /// <summary>Frames compressed at once: all of a small machine's cores, but bounded so memory does not grow with them.</summary>
    private static readonly int CompressionParallelism = Math.Min(Environment.ProcessorCount, 4);

    /// <summary>What an archive can add to its blocks' bytes: the index (under 128 bytes a block), manifest, header, trailer.</summary>
    private const long PerBlockOverhead = 128;
    private const long FixedOverhead = ArchiveFormat.MaxManifestLength + (1 << 20);

    private string SpoolDir => Path.Combine(server.DataDir, "tasks", "parts");

    public TaskKind Kind => TaskKind.Store;

    public async Task<IReadOnlyList<string>> RecoverAsync(CancellationToken cancellationToken)
    {
        // Part files of uploads a crash interrupted; their uploads are aborted when the task runs again.
        if (Directory.Exists(SpoolDir))
        {
            Directory.Delete(SpoolDir, recursive: true);
        }

        return [.. (await tasks.ListUnfinishedStoresAsync(cancellationToken)).Select(t => t.TaskId)];
    }

    public async Task RunAsync(string taskId, CancellationToken cancellationToken)
    {
        var task = await tasks.GetStoreAsync(taskId, cancellationToken);
        if (task is null || task.State != TaskStates.InProgress)
        {
            return;
        }

        var store = TaskBuckets.StoreOf(objectStores, authorizer, task.Bucket, task.OwnerId);
        try
        {
            task = await AbortUploadsAsync(store, task, cancellationToken);
            task = await StoreAsync(task, store, cancellationToken);
            await tasks.UpdateStoreAsync(task with { State = TaskStates.Completed, Progress = 100, UploadId = null, EndTime = time.GetUtcNow() }, CancellationToken.None);
            metrics.TaskFinished("store", TaskStates.Completed);
            logger.LogInformation("Stored {ImageId} as s3://{Bucket}/{Key}.", task.ImageId, task.Bucket, task.ObjectKey);
        }
        catch (Exception e) when (e is not TaskLeaseLostException && (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
        {
            // Written back unchanged first: in a cluster this is the fence check, so a node whose task was taken over
            // while it stalled stops here instead of aborting what may be the new owner's upload.
            var current = await tasks.GetStoreAsync(taskId, CancellationToken.None) ?? task;
            await tasks.UpdateStoreAsync(current, CancellationToken.None);
            var reason = DescribeFailure(current, e);
            logger.LogWarning(e, "Store of {ImageId} into {Bucket} failed: {Reason}", task.ImageId, task.Bucket, reason);
            try
            {
                current = await AbortUploadsAsync(store, current, CancellationToken.None);
            }
            catch (Exception abort) when (abort is ObjectStoreException or IOException or HttpRequestException)
            {
                // The task still ends Failed; the upload id stays recorded for a later look.
                logger.LogError(abort, "Could not abort the upload of s3://{Bucket}/{Key} after a failed store.", task.Bucket, task.ObjectKey);
            }

            await tasks.UpdateStoreAsync(current with { State = TaskStates.Failed, FailureReason = reason, EndTime = time.GetUtcNow() }, CancellationToken.None);
            metrics.TaskFinished("store", TaskStates.Failed);
        }
    }

    private async Task<StoreTaskRecord> StoreAsync(StoreTaskRecord task, IObjectStore store, CancellationToken cancellationToken)
    {
        var image = await images.GetAsync(task.ImageId, cancellationToken);
        if (image is null)
        {
            throw new TaskFailedException($"Image {task.ImageId} was deregistered before it could be stored.");
        }

        if (!await sharing.IsUsableByAsync(image.OwnerId, image.ImageId, task.OwnerId, cancellationToken))
        {
            throw new TaskFailedException($"Image {task.ImageId} is no longer shared with this account.");
        }

        var needs = permissions.ForStore(task, image.SnapshotIds);
        void RequirePermissions() => permissions.Require(task.PrincipalArn, needs);

        RequirePermissions();
        var parts = new List<(SnapshotRecord Snapshot, IReadOnlyList<KeyValuePair<string, string>> Tags, long BlockCount)>();
        foreach (var snapshotId in image.SnapshotIds.Distinct())
        {
            var snapshot = await RequireSnapshotAsync(task, snapshotId, cancellationToken);
            parts.Add((snapshot, await TagsVisibleAsync(task, snapshot.OwnerId, snapshotId, cancellationToken), await snapshots.CountBlocksAsync(snapshotId, cancellationToken)));
        }

        var storedAt = time.GetUtcNow();
        var manifest = ArchiveManifests.From(image, await TagsVisibleAsync(task, image.OwnerId, image.ImageId, cancellationToken), parts, server.Region, storedAt);
        var totalBlocks = parts.Sum(p => p.BlockCount);

        var uploadId = await store.CreateMultipartUploadAsync(task.Bucket, task.ObjectKey, new ObjectWriteOptions
        {
            ContentType = "application/octet-stream",
            Metadata = StoredObjectMetadata.For(image, server.Region, storedAt),
            Tags = task.ObjectTags.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal),
        }, cancellationToken);
        task = task with { UploadId = uploadId };
        await tasks.UpdateStoreAsync(task, cancellationToken);

        // Even incompressible data must fit in 10,000 parts: stored frames are never larger than their raw blocks.
        var partSize = MultipartUploadStream.ChoosePartSize(totalBlocks * (IBlockStore.BlockSize + PerBlockOverhead) + FixedOverhead);
        var progress = new ProgressTracker(totalBlocks, time, task.Progress);
        await using var upload = new MultipartUploadStream(store, task.Bucket, task.ObjectKey, uploadId, partSize, SpoolDir, cancellationToken);
        await using (var writer = await ArchiveWriter.CreateAsync(upload, manifest, new ArchiveWriterOptions { MaxParallelism = CompressionParallelism }, cancellationToken))
        {
            foreach (var (snapshot, _, blockCount) in parts)
            {
                await writer.BeginSnapshotAsync(snapshot.SnapshotId, cancellationToken);
                await WriteSnapshotAsync(task, snapshot.SnapshotId, keys.For(snapshot), blockCount, writer, progress, RequirePermissions, cancellationToken);
            }

            await writer.CompleteAsync(cancellationToken);
        }

        // A snapshot deleted while the task ran fails it, even if all its blocks were read before it went.
        foreach (var (snapshot, _, _) in parts)
        {
            await RequireSnapshotAsync(task, snapshot.SnapshotId, cancellationToken);
        }

        RequirePermissions();
        // The last catalog write before the object appears, checked against the lease (TaskFence) like every write of a
        // job: a node whose task was taken over does not complete its upload (the new owner aborts it anyway).
        await tasks.UpdateStoreAsync(await tasks.GetStoreAsync(task.TaskId, cancellationToken) ?? task, cancellationToken);
        await upload.CompleteAsync();
        return task;
    }

    private async Task WriteSnapshotAsync(
        StoreTaskRecord task, string snapshotId, BlockScope scope, long blockCount, ArchiveWriter writer, ProgressTracker progress, Action requirePermissions, CancellationToken cancellationToken)
    {
        // Reads run ahead of the writer so disk latency overlaps compression; the queue keeps their order.
        var pending = new Queue<(SnapshotBlock Block, Task<byte[]?> Data)>();
        var listed = 0L;
        try
        {
            var next = 0L;
            while (true)
            {
                var page = await snapshots.ListBlocksAsync(snapshotId, next, ListPage, cancellationToken);
                foreach (var block in page)
                {
                    if (++listed > blockCount)
                    {
                        throw new TaskFailedException($"Snapshot {snapshotId} of image {task.ImageId} changed during the task.");
                    }

                    pending.Enqueue((block, BlockHashes.IsZeroHash(block.Hash) ? Task.FromResult<byte[]?>(null) : ReadBlockAsync(task, snapshotId, scope, block.Hash, cancellationToken)));
                    if (pending.Count >= ReadAhead)
                    {
                        await WriteOneAsync(task, writer, scope, pending.Dequeue(), progress, cancellationToken);
                    }
                }

                if (page.Count < ListPage)
                {
                    break;
                }

                next = page[^1].BlockIndex + 1;
                requirePermissions();
            }

            while (pending.Count > 0)
            {
                await WriteOneAsync(task, writer, scope, pending.Dequeue(), progress, cancellationToken);
            }
        }
        finally
        {
            // After a failure, reads still in flight must end before their buffers go back to the pool.
            while (pending.TryDequeue(out var left))
            {
                await left.Data.ContinueWith(read => Return(read.IsCompletedSuccessfully ? read.Result : null), TaskScheduler.Default);
            }
        }

        if (listed != blockCount)
        {
            // Rows vanish when the snapshot is deleted under the task.
            await RequireSnapshotAsync(task, snapshotId, cancellationToken);
            throw new TaskFailedException($"Snapshot {snapshotId} of image {task.ImageId} changed during the task: {listed} of its {blockCount} blocks were found.");
        }
    }

    private async Task WriteOneAsync(StoreTaskRecord task, ArchiveWriter writer, BlockScope scope, (SnapshotBlock Block, Task<byte[]?> Data) pending, ProgressTracker progress, CancellationToken cancellationToken)
    {
        var (block, read) = pending;
        var data = await read;
        try
        {
            // The block store keeps each block's SHA-256 (as its address, or within it in an encrypted scope): it is passed
            // on, not computed again, so a block that rotted on disk is refused at restore instead of being archived under
            // a hash of its damage.
            await (data is null
                ? writer.WriteZeroBlockAsync(block.BlockIndex, cancellationToken)
                : writer.WriteBlockAsync(block.BlockIndex, data.AsMemory(0, IBlockStore.BlockSize), scope.Sha256Of(block.Hash), cancellationToken));
        }
        finally
        {
            Return(data);
        }

        if (data is not null)
        {
            metrics.Stored(IBlockStore.BlockSize);
        }

        if (progress.Advance(1) is { } percent)
        {
            await tasks.UpdateStoreAsync(task with { Progress = percent }, cancellationToken);
        }
    }

    private async Task<byte[]?> ReadBlockAsync(StoreTaskRecord task, string snapshotId, BlockScope scope, byte[] hash, CancellationToken cancellationToken)
    {
        var buffer = ArchiveBuffers.Rent(IBlockStore.BlockSize);
        try
        {
            await blocks.ReadAsync(scope, hash, buffer.AsMemory(0, IBlockStore.BlockSize), cancellationToken);
            return buffer;
        }
        catch (Exception e) when (e is BlockMissingException or BlockDamagedException)
        {
            ArchiveBuffers.Return(buffer);
            await RequireSnapshotAsync(task, snapshotId, cancellationToken);
            throw new TaskFailedException($"A block of snapshot {snapshotId} cannot be read: {e.Message}");
        }
        catch
        {
            ArchiveBuffers.Return(buffer);
            throw;
        }
    }

    private static void Return(byte[]? buffer)
    {
        if (buffer is not null)
        {
            ArchiveBuffers.Return(buffer);
        }
    }

    private async Task<SnapshotRecord> RequireSnapshotAsync(StoreTaskRecord task, string snapshotId, CancellationToken cancellationToken)
    {
        var snapshot = await snapshots.GetAsync(snapshotId, cancellationToken);
        if (snapshot is null || !await sharing.IsUsableByAsync(snapshot.OwnerId, snapshotId, task.OwnerId, cancellationToken))
        {
            throw new TaskFailedException($"Snapshot {snapshotId} of image {task.ImageId} was deleted or became inaccessible during the task.");
        }

        if (snapshot.Status != SnapshotStatus.Completed)
        {
            throw new TaskFailedException($"Snapshot {snapshotId} of image {task.ImageId} is {snapshot.Status}, not completed.");
        }

        return snapshot;
    }

    /// <summary>
    /// The tags stored with a resource: AWS keeps the tags visible to the caller, and tags are per account, so a
    /// store of a shared image carries none of its owner's.
    /// </summary>
    private async Task<IReadOnlyList<KeyValuePair<string, string>>> TagsVisibleAsync(StoreTaskRecord task, string ownerId, string resourceId, CancellationToken cancellationToken) =>
        ownerId == task.OwnerId ? await tags.GetAsync(resourceId, cancellationToken) : [];

    private static string DescribeFailure(StoreTaskRecord task, Exception e) => e switch
    {
        TaskFailedException failed => failed.Message,
        _ when ServerFailureText.IsDiskFull(e) => $"The task stopped: {ServerFailureText.DiskFull}.",
        ObjectStoreException s3 when s3.Code == "NoSuchBucket" => $"The bucket {task.Bucket} was deleted during the task.",
        ObjectStoreException s3 when s3.Code is "AccessDenied" or "Forbidden" => $"The bucket {task.Bucket} is no longer writable by this account.",
        ObjectStoreException s3 => $"Writing to s3://{task.Bucket}/{task.ObjectKey} failed: {s3.Code}: {s3.Message}",
        DirectoryNotFoundException => $"The bucket {task.Bucket} or the upload of {task.ObjectKey} was deleted during the task.",
        IOException io => $"Writing s3://{task.Bucket}/{task.ObjectKey} failed: {ServerFailureText.Of(io)}",
        _ => $"Internal error while storing the image ({e.GetType().Name}); see the server log.",
    };

    /// <summary>
    /// Aborts the task's multipart uploads: the one it recorded, and any other unfinished upload of its key, which can
    /// only be from an attempt that crashed before recording it (a store of this image into this bucket is admitted
    /// once at a time). Returns the task with no upload recorded.
    /// </summary>
    private async Task<StoreTaskRecord> AbortUploadsAsync(IObjectStore store, StoreTaskRecord task, CancellationToken cancellationToken)
    {
        var uploadIds = new HashSet<string>(StringComparer.Ordinal);
        if (task.UploadId is not null)
        {
            uploadIds.Add(task.UploadId);
        }

        try
        {
            var query = new ListUploadsQuery { Prefix = task.ObjectKey };
            while (true)
            {
                var listing = await store.ListMultipartUploadsAsync(task.Bucket, query, cancellationToken);
                uploadIds.UnionWith(listing.Uploads.Where(u => u.Key == task.ObjectKey).Select(u => u.UploadId));
                if (!listing.IsTruncated)
                {
                    break;
                }

                query = query with { KeyMarker = listing.NextKeyMarker, UploadIdMarker = listing.NextUploadIdMarker };
            }

            foreach (var uploadId in uploadIds)
            {
                await AbortAsync(store, task, uploadId, cancellationToken);
            }
        }
        catch (ObjectStoreException e) when (e.Code == "NoSuchBucket")
        {
            // Its unfinished uploads went with the bucket; a task that has not begun fails on the bucket next.
        }
        catch (ObjectStoreException e) when (e.Code is "AccessDenied" or "Forbidden")
        {
            // Credentials that may write but not list uploads (s3:ListBucketMultipartUploads): the recorded one still goes.
            logger.LogWarning("Cannot list the uploads of s3://{Bucket}/{Key} ({Code}); aborting only the one recorded.", task.Bucket, task.ObjectKey, e.Code);
            if (task.UploadId is not null)
            {
                await AbortAsync(store, task, task.UploadId, cancellationToken);
            }
        }

        if (task.UploadId is null)
        {
            return task;
        }

        task = task with { UploadId = null };
        await tasks.UpdateStoreAsync(task, cancellationToken);
        return task;
    }

    private async Task AbortAsync(IObjectStore store, StoreTaskRecord task, string uploadId, CancellationToken cancellationToken)
    {
        try
        {
            await store.AbortMultipartUploadAsync(task.Bucket, task.ObjectKey, uploadId, cancellationToken);
            logger.LogInformation("Aborted upload {UploadId} of s3://{Bucket}/{Key}.", uploadId, task.Bucket, task.ObjectKey);
        }
        catch (ObjectStoreException e) when (e.Code == "NoSuchUpload")
        {
            // Completed or aborted already.
        }
    }
}
