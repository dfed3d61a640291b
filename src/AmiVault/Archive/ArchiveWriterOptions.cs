using System.Buffers;

namespace AmiVault.Archive;

internal sealed record ArchiveWriterOptions
{
    /// <summary>zstd level; 3 was measured to match <c>zstd -3</c> in size at less CPU (docs/archive-format.md).</summary>
    public int CompressionLevel { get; init; } = 3;

    /// <summary>Distinct blocks per frame: more is smaller output, coarser ranged reads.</summary>
    public int BlocksPerFrame { get; init; } = 8;

    /// <summary>Frames compressed at once; memory in flight is about 3 x this x a frame.</summary>
    public int MaxParallelism { get; init; } = Environment.ProcessorCount;

    public int BlockSize { get; init; } = ArchiveFormat.DefaultBlockSize;

    /// <summary>
    /// Where block and frame buffers come from. A server writing archives one after another gives each its own
    /// bounded pool, so the buffers of one do not stay in the shared pool after it.
    /// </summary>
    public ArrayPool<byte> Buffers { get; init; } = ArrayPool<byte>.Shared;

    /// <summary>Reported from the writing caller's own calls, never concurrently.</summary>
    public IProgress<ArchiveWriteProgress>? Progress { get; init; }
}
