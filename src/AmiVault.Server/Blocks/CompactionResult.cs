namespace AmiVault.Blocks;

/// <summary>What one compaction pass did: packs removed, and packs whose live records it moved.</summary>
internal readonly record struct CompactionResult(int PacksRemoved, int PacksRewritten);
