namespace AmiVault.Archive;

/// <summary>
/// A block of a snapshot, checked against its SHA-256. <see cref="Data"/> is only valid until the callback that
/// receives it returns; zero blocks share one zero-filled buffer.
/// </summary>
public readonly record struct RestoredBlock(long BlockIndex, ReadOnlyMemory<byte> Data, ReadOnlyMemory<byte> Sha256, bool IsZero);
