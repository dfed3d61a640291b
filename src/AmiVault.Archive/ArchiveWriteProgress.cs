namespace AmiVault.Archive;

/// <param name="LogicalBytes">Bytes of the written blocks dealt with so far (zero and repeated blocks included).</param>
/// <param name="WrittenBytes">Bytes of archive written to the output so far.</param>
public readonly record struct ArchiveWriteProgress(long LogicalBytes, long WrittenBytes);
