using System.Collections.Concurrent;
using ZstdSharp.Unsafe;
using ZstdSharp;

namespace AmiVault.Blocks;

/// <summary>
/// How a block is stored in a pack: zstd when that saves at least an eighth of it, else as it is. zstd contexts are
/// reused from bags that never hold more than were in use at once.
/// </summary>
internal sealed class BlockCodec(int compressionLevel) : IDisposable
{
    /// <summary>
    /// The level the store uses: zstd's first fast level. Every block a restore or PutSnapshotBlock writes is compressed
    /// on the way in, and on the generator's mixed image level -1 took 0.57x the CPU of level 1 for a 5% larger result
    /// (its first 256 MiB of data blocks, ZstdSharp on one thread: 0.92 s against 1.13-1.62 s of CPU, 161 against 153 MiB).
    /// </summary>
    public const int FastLevel = -1;

    private readonly ConcurrentBag<Compressor> _compressors = [];
    private readonly ConcurrentBag<Decompressor> _decompressors = [];

    /// <summary>A codec that stores every block as it is.</summary>
    public static BlockCodec Raw { get; } = new(0);

    public bool Compresses => compressionLevel != 0;

    /// <summary>
    /// Compresses <paramref name="block"/> into <paramref name="destination"/> when that saves an eighth: returns the
    /// compressed length, or -1 when the block is to be stored as it is (then <paramref name="destination"/> is unused).
    /// </summary>
    public int TryCompress(ReadOnlySpan<byte> block, Span<byte> destination)
    {
        if (Compresses)
        {
            var compressor = _compressors.TryTake(out var c) ? c : NewCompressor();
            try
            {
                if (compressor.TryWrap(block, destination[..Math.Min(destination.Length, block.Length - block.Length / 8)], out var written))
                {
                    return written;
                }
            }
            finally
            {
                _compressors.Add(compressor);
            }
        }

        return -1;
    }

    /// <summary>Turns a record's stored bytes back into the block; false when they do not decode to exactly one block.</summary>
    public bool TryDecode(PackRecordFlags flags, ReadOnlySpan<byte> stored, Span<byte> block)
    {
        if ((flags & PackRecordFlags.Zstd) == 0)
        {
            if (stored.Length != block.Length)
            {
                return false;
            }

            stored.CopyTo(block);
            return true;
        }

        var decompressor = _decompressors.TryTake(out var d) ? d : new Decompressor();
        try
        {
            return decompressor.TryUnwrap(stored, block, out var written) && written == block.Length;
        }
        catch (ZstdException)
        {
            return false;
        }
        finally
        {
            _decompressors.Add(decompressor);
        }
    }

    /// <summary>Disposes this codec unless it is the shared <see cref="Raw"/> one.</summary>
    public void DisposeUnlessRaw()
    {
        if (this != Raw)
        {
            Dispose();
        }
    }

    public void Dispose()
    {
        while (_compressors.TryTake(out var c))
        {
            c.Dispose();
        }

        while (_decompressors.TryTake(out var d))
        {
            d.Dispose();
        }
    }

    private Compressor NewCompressor()
    {
        var compressor = new Compressor(compressionLevel);
        compressor.SetParameter(ZSTD_cParameter.ZSTD_c_checksumFlag, 0); // the record's own checksum covers it
        return compressor;
    }
}
