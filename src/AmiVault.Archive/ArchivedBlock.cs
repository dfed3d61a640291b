namespace AmiVault.Archive;

/// <summary>A block a snapshot lists, as the index describes it (no data read).</summary>
public readonly record struct ArchivedBlock(long BlockIndex, ReadOnlyMemory<byte> Sha256, bool IsZero);
