namespace AmiVault.Archive;

public sealed record ArchiveWriterOptions
{
    /// <summary>zstd level (docs/archive-format.md has the measurements behind the default).</summary>
    public int CompressionLevel { get; init; } = 2;

    /// <summary>Distinct blocks per frame: more is smaller output, coarser ranged reads and more memory.</summary>
    public int BlocksPerFrame { get; init; } = ArchiveFormat.MaxBlocksPerFrame;

    /// <summary>Frames compressed at once; memory in flight is about 3 x this x a frame.</summary>
    public int MaxParallelism { get; init; } = Environment.ProcessorCount;

    public int BlockSize { get; init; } = ArchiveFormat.DefaultBlockSize;

    /// <summary>Reported from the writing caller's own calls, never concurrently.</summary>
    public IProgress<ArchiveWriteProgress>? Progress { get; init; }
}
