using AmiVault.Catalog;

namespace AmiVault.Blocks;

/// <summary>
/// Deletes a snapshot: its catalog rows first (one transaction), then the data of the blocks no other snapshot
/// shares. A crash between the two leaves unreferenced block files, never a snapshot with missing blocks.
/// </summary>
internal sealed class SnapshotDeleter(ISnapshotCatalog snapshots, IBlockStore blocks)
{
    /// <summary>Throws <see cref="CatalogConflictException"/> when an image maps the snapshot.</summary>
    public async Task DeleteAsync(string snapshotId, CancellationToken cancellationToken)
    {
        var released = await snapshots.DeleteAsync(snapshotId, cancellationToken);
        // The snapshot is gone whatever happens next, so reclamation is not abandoned with the request.
        await blocks.ReclaimAsync(released, CancellationToken.None);
    }
}
