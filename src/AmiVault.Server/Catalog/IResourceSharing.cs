namespace AmiVault.Catalog;

/// <summary>
/// The accounts an image (its launch permission) or a snapshot (its create volume permission) is shared with, beyond
/// its owner. Callers check that the one changing a list owns the resource; deleting the resource deletes its list.
/// </summary>
internal interface IResourceSharing
{
    /// <summary>Adds and removes accounts in one transaction; adding a present account or removing an absent one is no change.</summary>
    Task ModifyAsync(string resourceId, IReadOnlyCollection<string> add, IReadOnlyCollection<string> remove, CancellationToken cancellationToken = default);

    /// <summary>Shares the resource with nobody again (ResetImageAttribute, ResetSnapshotAttribute).</summary>
    Task ResetAsync(string resourceId, CancellationToken cancellationToken = default);

    /// <summary>The accounts the resource is shared with, ascending.</summary>
    Task<IReadOnlyList<string>> AccountsAsync(string resourceId, CancellationToken cancellationToken = default);

    /// <summary>The ids of the resources shared with <paramref name="accountId"/> whose id starts with <paramref name="idPrefix"/> (`ami-`, `snap-`).</summary>
    Task<IReadOnlyList<string>> SharedWithAsync(string accountId, string idPrefix, CancellationToken cancellationToken = default);

    Task<bool> IsSharedWithAsync(string resourceId, string accountId, CancellationToken cancellationToken = default);

    /// <summary>Whether <paramref name="accountId"/> may use a resource of <paramref name="ownerId"/>: it owns it, or it is shared with it.</summary>
    async Task<bool> IsUsableByAsync(string ownerId, string resourceId, string accountId, CancellationToken cancellationToken = default) =>
        ownerId == accountId || await IsSharedWithAsync(resourceId, accountId, cancellationToken);
}
