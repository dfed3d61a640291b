namespace AmiVault.Catalog;

/// <summary>
/// A block record made durable in a pack, to be entered in the block index. A new block has no
/// <paramref name="MovedFrom"/>; a block that compaction copied has, and moves only if it is still there (it may have
/// been reclaimed meanwhile, and then the copy is simply dead space).
/// </summary>
internal sealed record BlockPlacement(byte[] Hash, BlockLocation Location, BlockLocation? MovedFrom = null);
