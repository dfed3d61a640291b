namespace AmiVault.Catalog;

/// <summary>
/// The block index: block hash → where its record lies in the packs, and how much of each pack is still live.
/// It lives in the catalog beside the snapshots' block lists, so "no snapshot references this block" and "remove its
/// location" can be one transaction. Every change is durable when its task completes.
/// </summary>
internal interface IBlockIndex
{
    Task<BlockLocation?> FindAsync(byte[] hash, CancellationToken cancellationToken = default);

    /// <summary>
    /// Enters durable records in one transaction (one commit for a whole batch of writers): new blocks are added,
    /// moved ones follow their <see cref="BlockPlacement.MovedFrom"/> only if still there; the pack's usage follows.
    /// </summary>
    Task CommitAsync(IReadOnlyList<BlockPlacement> placements, CancellationToken cancellationToken = default);

    /// <summary>Of <paramref name="hashes"/>, removes the locations of those no snapshot references (one transaction); returns how many.</summary>
    Task<int> RemoveUnreferencedAsync(IReadOnlyList<byte[]> hashes, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes the locations no snapshot references (blocks written but never referenced before a crash) in packs
    /// whose id is below <paramref name="belowPackId"/>, and takes them off their packs' usage. For start-up, before
    /// this server's writer runs; with a shared block store the limit spares the young packs of other servers, whose
    /// blocks may be between their location's commit and their reference's.
    /// </summary>
    Task<int> SweepUnreferencedAsync(long belowPackId = long.MaxValue, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<PackUsage>> ListPacksAsync(CancellationToken cancellationToken = default);

    /// <summary>The locations in one pack with an offset ≥ <paramref name="fromOffset"/>, in offset order, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<BlockPlacement>> ListInPackAsync(long packId, long fromOffset, int limit, CancellationToken cancellationToken = default);

    /// <summary>The end of the last record the index points to in this pack (0 when none).</summary>
    Task<long> PackEndAsync(long packId, CancellationToken cancellationToken = default);

    /// <summary>Forgets a pack the index no longer points into; false (and nothing changes) while it still does.</summary>
    Task<bool> RemovePackAsync(long packId, CancellationToken cancellationToken = default);

    /// <summary>How many blocks have stored data.</summary>
    Task<long> CountAsync(CancellationToken cancellationToken = default);
}
