using System.Buffers;

namespace AmiVault.Archive;

internal sealed record ArchiveReadOptions
{
    /// <summary>Ranged reads (and frame decodes) in flight at once.</summary>
    public int MaxParallelReads { get; init; } = 4;

    /// <summary>Adjacent frames are read together up to about this many bytes (S3 likes reads of several MiB).</summary>
    public int ReadLength { get; init; } = 4 << 20;

    /// <summary>Where read and decode buffers come from (see <see cref="ArchiveWriterOptions.Buffers"/>).</summary>
    public ArrayPool<byte> Buffers { get; init; } = ArrayPool<byte>.Shared;
}
