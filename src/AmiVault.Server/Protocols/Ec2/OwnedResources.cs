using AmiVault.Catalog;

namespace AmiVault.Protocols.Ec2;

/// <summary>
/// Looks up one image or snapshot by id for an account. What the account neither owns nor was granted is answered
/// exactly like a missing id, so ids cannot be probed across accounts; what was shared with it (a launch permission,
/// a create volume permission) it may see and use, but only its owner may change it (AuthFailure).
/// </summary>
internal sealed class OwnedResources(IImageCatalog images, ISnapshotCatalog snapshots, IResourceSharing sharing)
{
    /// <summary>An image the account owns: the one it may change, share or deregister.</summary>
    public async Task<ImageRecord> ImageAsync(string accountId, string imageId, CancellationToken cancellationToken)
    {
        var image = await UsableImageAsync(accountId, imageId, cancellationToken);
        return image.OwnerId == accountId ? image : throw NotOwner(Ec2ResourceKind.Image, imageId);
    }

    /// <summary>An image the account owns or that is shared with it (its launch permission names the account).</summary>
    public async Task<ImageRecord> UsableImageAsync(string accountId, string imageId, CancellationToken cancellationToken)
    {
        Ec2ResourceKind.Image.CheckWellFormed(imageId);
        var image = await images.GetAsync(imageId, cancellationToken);
        return image is not null && await sharing.IsUsableByAsync(image.OwnerId, imageId, accountId, cancellationToken)
            ? image
            : throw Ec2ResourceKind.Image.NotFound([imageId]);
    }

    public async Task<SnapshotRecord> SnapshotAsync(string accountId, string snapshotId, CancellationToken cancellationToken)
    {
        var snapshot = await UsableSnapshotAsync(accountId, snapshotId, cancellationToken);
        return snapshot.OwnerId == accountId ? snapshot : throw NotOwner(Ec2ResourceKind.Snapshot, snapshotId);
    }

    /// <summary>A snapshot the account owns or that is shared with it (its create volume permission names the account).</summary>
    public async Task<SnapshotRecord> UsableSnapshotAsync(string accountId, string snapshotId, CancellationToken cancellationToken)
    {
        Ec2ResourceKind.Snapshot.CheckWellFormed(snapshotId);
        var snapshot = await snapshots.GetAsync(snapshotId, cancellationToken);
        return snapshot is not null && await sharing.IsUsableByAsync(snapshot.OwnerId, snapshotId, accountId, cancellationToken)
            ? snapshot
            : throw Ec2ResourceKind.Snapshot.NotFound([snapshotId]);
    }

    /// <summary>The id of an image or snapshot (by <paramref name="kind"/>) the account owns, and so may share.</summary>
    public async Task<string> OwnedIdAsync(Ec2ResourceKind kind, string accountId, string id, CancellationToken cancellationToken) =>
        kind == Ec2ResourceKind.Image
            ? (await ImageAsync(accountId, id, cancellationToken)).ImageId
            : (await SnapshotAsync(accountId, id, cancellationToken)).SnapshotId;

    /// <summary>The images the account owns and those shared with it (DescribeImages without scoping).</summary>
    public async Task<IReadOnlyList<ImageRecord>> VisibleImagesAsync(string accountId, CancellationToken cancellationToken) =>
        [.. await images.ListAsync(accountId, cancellationToken), .. await SharedAsync(accountId, Ec2ResourceKind.Image, images.GetAsync, cancellationToken)];

    /// <summary>The snapshots the account owns and those shared with it (DescribeSnapshots without scoping).</summary>
    public async Task<IReadOnlyList<SnapshotRecord>> VisibleSnapshotsAsync(string accountId, CancellationToken cancellationToken) =>
        [.. await snapshots.ListAsync(accountId, cancellationToken), .. await SharedAsync(accountId, Ec2ResourceKind.Snapshot, snapshots.GetAsync, cancellationToken)];

    /// <summary>
    /// The ids among <paramref name="ownIds"/> (the caller's resources) shared with any of <paramref name="accounts"/>:
    /// what `ExecutableBy.N` / `RestorableBy.N` naming other accounts selects.
    /// </summary>
    public async Task<HashSet<string>> SharedWithAnyAsync(IEnumerable<string> ownIds, IReadOnlySet<string> accounts, CancellationToken cancellationToken)
    {
        var shared = new HashSet<string>(StringComparer.Ordinal);
        if (accounts.Count == 0)
        {
            return shared;
        }

        foreach (var id in ownIds)
        {
            if ((await sharing.AccountsAsync(id, cancellationToken)).Any(accounts.Contains))
            {
                shared.Add(id);
            }
        }

        return shared;
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

    private async Task<List<T>> SharedAsync<T>(string accountId, Ec2ResourceKind kind, Func<string, CancellationToken, Task<T?>> get, CancellationToken cancellationToken)
        where T : class
    {
        var found = new List<T>();
        foreach (var id in await sharing.SharedWithAsync(accountId, kind.Prefix + "-", cancellationToken))
        {
            // A resource deleted after its grant was read is simply not there any more.
            if (await get(id, cancellationToken) is { } resource)
            {
                found.Add(resource);
            }
        }

        return found;
    }

    /// <summary>EC2's answer to a grantee that tries to change what it was only granted the use of.</summary>
    private static Ec2Exception NotOwner(Ec2ResourceKind kind, string id) =>
        new("AuthFailure", $"Not authorized for {kind.ResourceType}:{id}. It is shared with this account, but only its owner may change it.");
}
