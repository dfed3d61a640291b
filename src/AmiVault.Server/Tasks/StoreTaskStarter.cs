using AmiVault.Catalog;
using AmiVault.Iam;
using AmiVault.ObjectStore;
using AmiVault.Configuration;

namespace AmiVault.Tasks;

/// <summary>
/// CreateStoreImageTask's checks and admission: everything that can be refused is refused here, before anything is
/// queued, with the EC2 error a caller can act on.
/// </summary>
internal sealed class StoreTaskStarter(
    ISnapshotCatalog snapshots,
    IResourceSharing sharing,
    ITaskCatalog tasks,
    IObjectStoreProvider objectStores,
    TaskQueue queue,
    Authorizer authorizer,
    ServerContext server,
    TimeProvider time)
{
    private const long GiB = 1L << 30;

    /// <summary>
    /// Validates a store by <paramref name="accountId"/> of <paramref name="image"/> (an image it owns or one shared
    /// with it) into its <paramref name="bucket"/>; the returned task is admitted by <see cref="AdmitAsync"/> (not for
    /// a DryRun). As AWS says, the image's snapshots must be the account's too, or shared with it directly.
    /// </summary>
    public async Task<StoreTaskRecord> ValidateAsync(string accountId, ImageRecord image, string bucket, IReadOnlyList<KeyValuePair<string, string>> objectTags, CancellationToken cancellationToken)
    {
        var imageId = image.ImageId;
        if (image.State != "available")
        {
            throw new TaskRejectedException("InvalidAMIID.Unavailable", $"Image {imageId} is {image.State}; only available images can be stored.");
        }

        if (image.RootDeviceType != "ebs")
        {
            throw new TaskRejectedException("InvalidParameterValue", $"Image {imageId} is instance store-backed; only EBS-backed AMIs can be stored.");
        }

        if (image.VirtualizationType == "paravirtual")
        {
            throw new TaskRejectedException("InvalidParameterValue", $"Image {imageId} uses paravirtual (PV) virtualization, which cannot be stored.");
        }

        long sizeBytes = 0;
        foreach (var snapshotId in image.SnapshotIds.Distinct())
        {
            var snapshot = await snapshots.GetAsync(snapshotId, cancellationToken);
            if (snapshot is null || !await sharing.IsUsableByAsync(snapshot.OwnerId, snapshotId, accountId, cancellationToken))
            {
                throw new TaskRejectedException("InvalidSnapshot.NotFound",
                    $"Snapshot {snapshotId} of image {imageId} does not exist or is not accessible: a shared image can be stored only when its snapshots are shared with this account too.");
            }

            if (snapshot.Status != SnapshotStatus.Completed)
            {
                throw new TaskRejectedException("IncorrectState", $"Snapshot {snapshotId} of image {imageId} is {snapshot.Status}, not completed.");
            }

            sizeBytes += snapshot.VolumeSizeGib * GiB;
        }

        var maxBytes = server.Options.Tasks.MaxImageSizeGb * GiB;
        if (sizeBytes > maxBytes)
        {
            throw new TaskRejectedException("InvalidParameterValue",
                $"Image {imageId} has {sizeBytes / GiB} GiB of snapshots, over the {server.Options.Tasks.MaxImageSizeGb} GiB that can be stored.");
        }

        var objectKey = imageId + ".bin";
        // Another account's bucket is written through its owner's view when its policy names this account (TaskPermissions
        // then require that policy's Allow of s3:PutObject); without one, the bucket is simply not this account's.
        var store = TaskBuckets.StoreOf(objectStores, authorizer, bucket, accountId);
        await TaskBuckets.RequireAsync(store, bucket, server.Region, cancellationToken);
        if (await TaskBuckets.HeadObjectAsync(store, bucket, objectKey, cancellationToken) is not null)
        {
            throw new TaskRejectedException("InvalidParameterValue",
                $"s3://{bucket}/{objectKey} already exists: an AMI can be stored only once in a bucket. Delete the object to store the image again.");
        }

        return new StoreTaskRecord
        {
            TaskId = Guid.NewGuid().ToString("N"),
            OwnerId = accountId,
            ImageId = imageId,
            Bucket = bucket,
            ObjectKey = objectKey,
            StartTime = time.GetUtcNow(),
            SizeBytes = sizeBytes,
            ObjectTags = objectTags,
        };
    }

    public async Task AdmitAsync(StoreTaskRecord task, CancellationToken cancellationToken)
    {
        var quotaBytes = server.Options.Tasks.StoreQuotaGb * GiB;
        switch (await tasks.TryAddStoreAsync(task, quotaBytes, cancellationToken))
        {
            case TaskAdmission.Admitted:
                queue.Enqueue(TaskKind.Store, task.TaskId);
                return;
            case TaskAdmission.AlreadyInProgress:
                throw new TaskRejectedException("InvalidParameterValue",
                    $"A store of {task.ImageId} into bucket {task.Bucket} is already in progress: an AMI can be stored only once in a bucket.");
            case TaskAdmission.QuotaExceeded:
                throw new TaskRejectedException("ResourceLimitExceeded",
                    $"This account's stores in progress already hold the {server.Options.Tasks.StoreQuotaGb} GiB of snapshot data it may store at once. Retry {task.ImageId} when some finish.");
            default:
                throw new InvalidOperationException("Unexpected admission result for a store task.");
        }
    }
}
