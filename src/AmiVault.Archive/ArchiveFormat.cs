namespace AmiVault.Archive;

/// <summary>Byte layout constants and limits of the archive format (docs/archive-format.md is the specification).</summary>
public static class ArchiveFormat
{
    public const ushort Version = 1;

    public const int HeaderLength = 20;

    public const int TrailerLength = 56;

    public const int DigestLength = 32;

    public const int HashLength = 32;

    /// <summary>EBS block size; the only size the engine writes. Smaller powers of two are valid (tests use them).</summary>
    public const int DefaultBlockSize = 524288;

    public const int MinBlockSize = 4096;

    public const int MaxBlockSize = 1 << 20;

    public const int MaxBlocksPerFrame = 32;

    public const int MaxManifestLength = 4 << 20;

    /// <summary>
    /// Caps the memory of a reader (the index is held whole) and of a writer (which builds it) against hostile or
    /// absurd input, sized to what the largest image AWS stores needs: 5,000 GiB of distinct 512 KiB blocks (10.24
    /// million) take about 34 bytes each in the index (a 32-byte hash, a frame entry per 32 blocks, runs), 348 MB.
    /// A reader allocates the index only once the object is seen to hold that many bytes of it; an honest archive's
    /// index weighs what its distinct data does (a sparse 5,000 GiB volume with 2 GiB written: 130 KiB).
    /// The writer refuses to produce an archive the reader would refuse.
    /// </summary>
    public const int MaxIndexLength = 384 << 20;

    public const int MaxSnapshots = 128;

    /// <summary>EBS volumes are at most 64 TiB.</summary>
    public const int MaxVolumeSizeGib = 65536;

    public const int IndexHeaderLength = 12;

    public const int FrameEntryLength = 40;

    public const int RunLength = 13;

    public const int SnapshotHeaderLength = 4;

    public static ReadOnlySpan<byte> HeaderMagic => "AMIVAULT"u8;

    public static ReadOnlySpan<byte> TrailerMagic => "AMIV-END"u8;

    public static bool IsValidBlockSize(int blockSize) =>
        blockSize is >= MinBlockSize and <= MaxBlockSize && int.IsPow2(blockSize);

    /// <summary>The most bytes a zstd frame of <paramref name="rawLength"/> bytes may take (zstd's own bound).</summary>
    public static int MaxStoredFrameLength(int rawLength) => ZstdSharp.Compressor.GetCompressBound(rawLength);

    public static long VolumeBlocks(long volumeSizeGib, int blockSize) => volumeSizeGib * (1L << 30) / blockSize;
}
