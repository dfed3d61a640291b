using AmiVault.Catalog;

namespace AmiVault.Protocols.Ec2;

/// <summary>
/// Looks up one image or snapshot by id for its owner. Another account's resource is answered exactly like a
/// missing one, so ids cannot be probed across accounts.
/// </summary>
internal sealed class OwnedResources(IImageCatalog images, ISnapshotCatalog snapshots)
{
    public async Task<ImageRecord> ImageAsync(string accountId, string imageId, CancellationToken cancellationToken)
    {
        Ec2ResourceKind.Image.CheckWellFormed(imageId);
        var image = await images.GetAsync(imageId, cancellationToken);
        return image is not null && image.OwnerId == accountId ? image : throw Ec2ResourceKind.Image.NotFound([imageId]);
    }

    public async Task<SnapshotRecord> SnapshotAsync(string accountId, string snapshotId, CancellationToken cancellationToken)
    {
        Ec2ResourceKind.Snapshot.CheckWellFormed(snapshotId);
        var snapshot = await snapshots.GetAsync(snapshotId, cancellationToken);
        return snapshot is not null && snapshot.OwnerId == accountId ? snapshot : throw Ec2ResourceKind.Snapshot.NotFound([snapshotId]);
    }

    /// <summary>
    /// `ResourceId.N` of CreateTags and DeleteTags: at least one, each an image or a snapshot of the caller, all checked
    /// before the action changes anything.
    /// </summary>
    public async Task<List<string>> TaggableResourcesAsync(Ec2Call call)
    {
        var resourceIds = call.Parameters.List("ResourceId").Distinct(StringComparer.Ordinal).ToList();
        if (resourceIds.Count == 0)
        {
            throw Ec2Exception.Missing("ResourceId.1");
        }

        foreach (var resourceId in resourceIds)
        {
            if (Ec2ResourceKind.Of(resourceId) == Ec2ResourceKind.Image)
            {
                await ImageAsync(call.AccountId, resourceId, call.Aborted);
            }
            else
            {
                await SnapshotAsync(call.AccountId, resourceId, call.Aborted);
            }
        }

        return resourceIds;
    }
}
