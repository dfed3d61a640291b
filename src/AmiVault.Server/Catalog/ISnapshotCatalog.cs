namespace AmiVault.Catalog;

/// <summary>Snapshots and the index of their blocks (block index → SHA-256 of the block's data).</summary>
internal interface ISnapshotCatalog
{
    /// <summary>Inserts a snapshot with its tags; when <paramref name="copyBlocksFrom"/> is set, its blocks are copied in the same transaction.</summary>
    Task InsertAsync(SnapshotRecord snapshot, IReadOnlyList<KeyValuePair<string, string>> tags, string? copyBlocksFrom = null, CancellationToken cancellationToken = default);

    Task<SnapshotRecord?> GetAsync(string snapshotId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<SnapshotRecord>> ListAsync(string ownerId, CancellationToken cancellationToken = default);

    Task<SnapshotRecord?> FindByClientTokenAsync(string ownerId, string clientToken, CancellationToken cancellationToken = default);

    /// <summary>Pending snapshots whose deadline has passed (for the timeout sweeper).</summary>
    Task<IReadOnlyList<SnapshotRecord>> ListExpiredPendingAsync(DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Writes status, progress, completion time, state message and deadline of the snapshot.</summary>
    Task UpdateAsync(SnapshotRecord snapshot, CancellationToken cancellationToken = default);

    /// <summary>Records block <paramref name="blockIndex"/> as <paramref name="hash"/>; returns the hash it replaced, if any.</summary>
    Task<byte[]?> PutBlockAsync(string snapshotId, long blockIndex, byte[] hash, CancellationToken cancellationToken = default);

    /// <summary>Records many blocks in one transaction (a restore records a snapshot's whole index before its data).</summary>
    Task PutBlocksAsync(string snapshotId, IEnumerable<SnapshotBlock> blocks, CancellationToken cancellationToken = default);

    Task<SnapshotBlock?> GetBlockAsync(string snapshotId, long blockIndex, CancellationToken cancellationToken = default);

    /// <summary>Blocks with index ≥ <paramref name="startIndex"/> in index order, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<SnapshotBlock>> ListBlocksAsync(string snapshotId, long startIndex, int limit, CancellationToken cancellationToken = default);

    /// <summary>Like <see cref="ListBlocksAsync"/>, but only blocks written to this snapshot, not those copied from its parent.</summary>
    Task<IReadOnlyList<SnapshotBlock>> ListWrittenBlocksAsync(string snapshotId, long startIndex, int limit, CancellationToken cancellationToken = default);

    Task<long> CountBlocksAsync(string snapshotId, CancellationToken cancellationToken = default);

    /// <summary>Blocks written to this snapshot since it started, not those copied from its parent (EBS ChangedBlocksCount).</summary>
    Task<long> CountWrittenBlocksAsync(string snapshotId, CancellationToken cancellationToken = default);

    /// <summary>Whether any snapshot still references a block with this hash.</summary>
    Task<bool> IsBlockReferencedAsync(byte[] hash, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the snapshot, its tags and block rows; returns the distinct hashes it referenced (GC candidates).
    /// <see cref="CatalogConflictException"/> when an image maps the snapshot.
    /// </summary>
    Task<IReadOnlyList<byte[]>> DeleteAsync(string snapshotId, CancellationToken cancellationToken = default);
}
