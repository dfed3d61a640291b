using AmiVault.Ebs;

namespace AmiVault.Blocks;

/// <summary>
/// Snapshot block data: 512 KiB blocks addressed by their address in a <see cref="BlockScope"/> (their SHA-256 in the
/// plain scope), so identical blocks within and across snapshots of one scope are kept once. All-zero blocks are never
/// stored (their hash is known and reads of it give zeros).
/// Which snapshot uses which block is the catalog's business (<see cref="Catalog.ISnapshotCatalog"/>).
/// </summary>
internal interface IBlockStore
{
    public const int BlockSize = EbsBlock.Size;

    /// <summary>
    /// Stores <paramref name="data"/> (exactly <see cref="BlockSize"/> bytes, at <paramref name="hash"/> = its address in
    /// <paramref name="scope"/>) durably, encrypted if the scope is, then calls <paramref name="recordReference"/> under the same per-hash lock that reclamation takes, so a block is
    /// never reclaimed between being written and being referenced by a snapshot.
    /// </summary>
    Task PutAsync(BlockScope scope, byte[] hash, ReadOnlyMemory<byte> data, Func<Task> recordReference, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads the block at this address of <paramref name="scope"/> into <paramref name="buffer"/> (<see cref="BlockSize"/>
    /// bytes); a record of another scope is a <see cref="BlockDamagedException"/>.
    /// </summary>
    Task ReadAsync(BlockScope scope, byte[] hash, Memory<byte> buffer, CancellationToken cancellationToken = default);

    /// <summary>Deletes the data of those <paramref name="candidates"/> that no snapshot references any more.</summary>
    Task ReclaimAsync(IEnumerable<byte[]> candidates, CancellationToken cancellationToken = default);
}
