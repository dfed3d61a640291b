using AmiVault.Archive;
using AmiVault.Catalog;
using AmiVault.ObjectStore;
using AmiVault.Configuration;
using AmiVault.Iam;

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
    Authorizer authorizer,
    TaskQueue queue,
    ServerContext server,
    TimeProvider time)
{
    private const long GiB = 1L << 30;

    /// <summary>
    /// Validates a restore; <paramref name="checkName"/> applies the protocol's rule for image names to the name the
    /// image will get (<paramref name="name"/>, else the stored one), before its uniqueness is checked.
    /// </summary>
    public async Task<RestorePlan> ValidateAsync(
        string accountId,
        string bucket,
        string objectKey,
        string? name,
        IReadOnlyDictionary<string, List<KeyValuePair<string, string>>> tagSpecifications,
        Action<string> checkName,
        CancellationToken cancellationToken)
    {
        // Another account's bucket is read through its owner's view once its bucket policy has allowed this restore.
        var store = TaskBuckets.StoreOf(objectStores, authorizer, bucket, accountId);
        await TaskBuckets.RequireAsync(store, bucket, server.Region, cancellationToken);
        var info = await TaskBuckets.HeadObjectAsync(store, bucket, objectKey, cancellationToken)
            ?? throw new TaskRejectedException("InvalidParameterValue", $"The object s3://{bucket}/{objectKey} does not exist.");

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
        catch (ObjectStoreException e)
        {
            throw TaskBuckets.Unreadable(bucket, objectKey, e);
        }

        var imageName = name ?? manifest.Image.Name;
        checkName(imageName);

        if (await images.FindByNameAsync(accountId, imageName, cancellationToken) is { } existing)
        {
            throw new TaskRejectedException("InvalidAMIName.Duplicate", $"AMI name {imageName} is already in use by AMI {existing.ImageId}");
        }

        var sizeBytes = manifest.Snapshots.Sum(s => s.VolumeSizeGib) * GiB;
        var requestedSnapshotTags = tagSpecifications.GetValueOrDefault("snapshot") ?? [];
        return new RestorePlan(accountId, bucket, objectKey, info.ETag, imageName, manifest, sizeBytes,
            Merge(manifest.Image.Tags, tagSpecifications.GetValueOrDefault("image") ?? []),
            [.. manifest.Snapshots.Select(s => Merge(s.Tags, requestedSnapshotTags))]);
    }

    public async Task<string> AdmitAsync(RestorePlan plan, string principalArn, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var encrypted = await settings.GetEncryptionByDefaultAsync(plan.AccountId, cancellationToken);
        var kmsKey = encrypted ? server.DefaultEbsKmsKeyArn(plan.AccountId) : null;

        var newSnapshots = plan.Manifest.Snapshots.Select((s, i) => (
            Snapshot: new SnapshotRecord
            {
                SnapshotId = ResourceIds.New(ResourceIds.Snapshot),
                OwnerId = plan.AccountId,
                VolumeSizeGib = s.VolumeSizeGib,
                Status = SnapshotStatus.Pending,
                Description = s.Description,
                Encrypted = encrypted,
                KmsKeyId = kmsKey,
                StartTime = now,
            },
            Tags: plan.SnapshotTags[i])).ToList();

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
            PrincipalArn = principalArn,
        };

        var admission = await tasks.TryAddRestoreAsync(task, image, plan.ImageTags,
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
                    $"This account's restores in progress already hold the {server.Options.Tasks.RestoreQuotaGb} GiB it may restore at once. Retry when some finish.");
            default:
                throw new InvalidOperationException("Unexpected admission result for a restore task.");
        }
    }

    /// <summary>Stored tags first; a TagSpecification tag with the same key wins.</summary>
    private static IReadOnlyList<KeyValuePair<string, string>> Merge(IEnumerable<ArchivedTag> stored, IReadOnlyList<KeyValuePair<string, string>> requested)
    {
        var merged = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in stored)
        {
            merged[tag.Key] = tag.Value;
        }

        foreach (var (key, value) in requested)
        {
            merged[key] = value;
        }

        return [.. merged];
    }
}
