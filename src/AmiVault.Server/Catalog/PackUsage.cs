namespace AmiVault.Catalog;

/// <summary>How much of a pack the block index still points into: what decides whether compaction rewrites it.</summary>
internal readonly record struct PackUsage(long PackId, long LiveBytes, long LiveBlocks);
