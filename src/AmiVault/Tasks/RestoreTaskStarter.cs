using AmiVault.Archive;
using AmiVault.Catalog;
using AmiVault.Hosting;
using AmiVault.ObjectStore;

namespace AmiVault.Tasks;

/// <summary>
/// CreateRestoreImageTask's checks and admission: the object must be a readable archive of a supported version in a
/// bucket of this region, the name free, the quota not exceeded. Admission creates the pending image and snapshots.
/// </summary>
internal sealed class RestoreTaskStarter(
    ITaskCatalog tasks,
    IImageCatalog images,
    IAccountSettings settings,
    IObjectStoreProvider objectStores,
    StoreTaskStarter storeStarter,
    TaskQueue queue,
    ServerContext server,
    TimeProvider time)
{
    private const long GiB = 1L << 30;

    public async Task<RestorePlan> ValidateAsync(
        string accountId,
        string bucket,
        string objectKey,
        string? name,
        IReadOnlyDictionary<string, List<KeyValuePair<string, string>>> tagSpecifications,
        CancellationToken cancellationToken)
    {
        var store = objectStores.ForAccount(accountId);
        await storeStarter.CheckBucketAsync(store, bucket, cancellationToken);

        ObjectInfo info;
        try
        {
            info = await store.HeadObjectAsync(bucket, objectKey, cancellationToken);
        }
        catch (ObjectStoreException e) when (e.Code is "NoSuchKey" or "NotFound")
        {
            throw new TaskRejectedException("InvalidParameterValue", $"The object s3://{bucket}/{objectKey} does not exist.");
        }

        ArchiveManifest manifest;
        try
        {
            var reader = await ArchiveReader.OpenAsync(new ObjectArchiveSource(store, bucket, objectKey, info.ETag, info.Size), cancellationToken);
            manifest = reader.Manifest;
        }
        catch (ArchiveFormatException e)
        {
            throw new TaskRejectedException("InvalidParameterValue", $"s3://{bucket}/{objectKey} is not a valid stored AMI: {e.Message}");
        }

        var imageName = name ?? manifest.Image.Name;
        try
        {
            Protocols.Ec2.Ec2Validation.ImageName(imageName);
        }
        catch (Protocols.Ec2.Ec2Exception e)
        {
            throw new TaskRejectedException(e.Code, e.Message);
        }

        if (await images.FindByNameAsync(accountId, imageName, cancellationToken) is { } existing)
        {
            throw new TaskRejectedException("InvalidAMIName.Duplicate", $"AMI name {imageName} is already in use by AMI {existing.ImageId}");
        }

        var sizeBytes = manifest.Snapshots.Sum(s => s.VolumeSizeGib) * GiB;
        return new RestorePlan(accountId, bucket, objectKey, info.ETag, imageName, manifest, sizeBytes, tagSpecifications);
    }

    public async Task<string> AdmitAsync(RestorePlan plan, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var encrypted = await settings.GetEncryptionByDefaultAsync(plan.AccountId, cancellationToken);
        var kmsKey = encrypted ? $"arn:{server.Partition}:kms:{server.Region}:{plan.AccountId}:alias/aws/ebs" : null;
        var snapshotTags = plan.TagSpecifications.GetValueOrDefault("snapshot") ?? [];
        var imageTags = plan.TagSpecifications.GetValueOrDefault("image") ?? [];

        var newSnapshots = plan.Manifest.Snapshots.Select(s => (
            Snapshot: new SnapshotRecord
            {
                SnapshotId = ResourceIds.New(ResourceIds.Snapshot),
                OwnerId = plan.AccountId,
                VolumeSizeGib = s.VolumeSizeGib,
                Status = "pending",
                Description = s.Description,
                Encrypted = encrypted,
                KmsKeyId = kmsKey,
                StartTime = now,
            },
            Tags: Merge(ArchiveManifests.Tags(s.Tags), snapshotTags))).ToList();

        var imageId = ResourceIds.New(ResourceIds.Image);
        var image = ArchiveManifests.ToRestoredImage(plan.Manifest, imageId, plan.AccountId, plan.Name,
            [.. newSnapshots.Select(s => s.Snapshot.SnapshotId)], encrypted, now);
        var task = new RestoreTaskRecord
        {
            TaskId = Guid.NewGuid().ToString("N"),
            OwnerId = plan.AccountId,
            ImageId = imageId,
            Bucket = plan.Bucket,
            ObjectKey = plan.ObjectKey,
            ETag = plan.ETag,
            StartTime = now,
            SizeBytes = plan.SizeBytes,
            SnapshotIds = [.. newSnapshots.Select(s => s.Snapshot.SnapshotId)],
        };

        var admission = await tasks.TryAddRestoreAsync(task, image, Merge(ArchiveManifests.Tags(plan.Manifest.Image.Tags), imageTags),
            [.. newSnapshots.Select(s => (s.Snapshot, s.Tags))], server.Options.Tasks.RestoreQuotaGb * GiB, cancellationToken);
        switch (admission)
        {
            case TaskAdmission.Admitted:
                queue.Enqueue(TaskKind.Restore, task.TaskId);
                return imageId;
            case TaskAdmission.NameInUse:
                throw new TaskRejectedException("InvalidAMIName.Duplicate", $"AMI name {plan.Name} is already in use by another AMI of this account.");
            case TaskAdmission.QuotaExceeded:
                throw new TaskRejectedException("ResourceLimitExceeded",
                    $"Restoring {plan.SizeBytes / GiB} GiB would exceed the {server.Options.Tasks.RestoreQuotaGb} GiB this account may have in restores in progress. Retry when some finish.");
            default:
                throw new InvalidOperationException("Unexpected admission result for a restore task.");
        }
    }

    /// <summary>Stored tags first; a TagSpecification tag with the same key wins.</summary>
    private static IReadOnlyList<KeyValuePair<string, string>> Merge(IReadOnlyList<KeyValuePair<string, string>> stored, IReadOnlyList<KeyValuePair<string, string>> requested)
    {
        var merged = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in stored.Concat(requested))
        {
            merged[key] = value;
        }

        return [.. merged];
    }
}
