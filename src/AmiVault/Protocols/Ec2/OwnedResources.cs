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

    /// <summary>Checks that the caller owns <paramref name="resourceId"/>, whichever kind it is (CreateTags, DeleteTags).</summary>
    public async Task<Ec2ResourceKind> AnyAsync(string accountId, string resourceId, CancellationToken cancellationToken)
    {
        var kind = Ec2ResourceKind.Of(resourceId);
        if (kind == Ec2ResourceKind.Image)
        {
            await ImageAsync(accountId, resourceId, cancellationToken);
        }
        else
        {
            await SnapshotAsync(accountId, resourceId, cancellationToken);
        }

        return kind;
    }
}
