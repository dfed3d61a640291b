namespace AmiVault.Archive;

/// <summary>Sizes of an archive, as its writer reports them and as its reader finds them.</summary>
/// <param name="Length">Bytes of the whole object.</param>
/// <param name="LogicalBytes">Bytes the snapshots list (every written block, zero blocks included).</param>
/// <param name="DataBytes">Bytes of frames (stored block data after compression).</param>
/// <param name="StoredBlocks">Distinct non-zero blocks, each stored once.</param>
/// <param name="ZeroBlocks">Written blocks that are all zeros (listed, not stored).</param>
/// <param name="DuplicateBlocks">Written non-zero blocks that refer to a block stored earlier in the image.</param>
public sealed record ArchiveStatistics(
    long Length,
    long LogicalBytes,
    long DataBytes,
    int Frames,
    int StoredBlocks,
    long ZeroBlocks,
    long DuplicateBlocks);
