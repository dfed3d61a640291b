using System.Buffers;
using System.Globalization;

namespace AmiVault.Imaging;

/// <summary>
/// Makes raw disk images that look like real system disks (free space, text, binaries, incompressible data, repeated
/// blocks; see <see cref="DiskImageMix"/>), fixed by a seed: the same seed gives the same bytes, everywhere.
/// Any range can be read on its own (<see cref="Fill"/>), so images of any size cost no memory and fill on all cores.
/// A sparse image is a large volume with only some data written: the written data is exactly the dense image of
/// that size and seed, spread in extents over the volume, so the two can be compared.
/// </summary>
internal sealed class DiskImageGenerator
{
    private const int ChunkSize = 8 << 20;
    private const long ExtentUnit = 1 << 20;

    private readonly ImageLayout _layout;
    private readonly ImageExtent[] _extents;
    private readonly long[] _extentStarts;
    private readonly long[] _denseStarts;

    public DiskImageGenerator(long size, ulong seed, DiskImageMix? mix = null)
        : this(size, ImageLayout.Plan(size, seed, mix ?? DiskImageMix.SystemDisk), seed, mix ?? DiskImageMix.SystemDisk, [new ImageExtent(0, size)])
    {
    }

    private DiskImageGenerator(long size, ImageLayout layout, ulong seed, DiskImageMix mix, ImageExtent[] extents)
    {
        Size = size;
        Seed = seed;
        Mix = mix;
        _layout = layout;
        _extents = extents;
        _extentStarts = extents.Select(e => e.Offset).ToArray();
        _denseStarts = new long[extents.Length];
        for (var i = 1; i < extents.Length; i++)
        {
            _denseStarts[i] = _denseStarts[i - 1] + extents[i - 1].Length;
        }
    }

    /// <summary>The volume's size: what a reader of the image sees.</summary>
    public long Size { get; }

    /// <summary>How much of the volume holds written data (all of it unless sparse).</summary>
    public long WrittenSize => _layout.Size;

    public ulong Seed { get; }

    /// <summary>The mix that was asked for.</summary>
    public DiskImageMix Mix { get; }

    /// <summary>The mix that was made, in bytes of written data.</summary>
    public ImageComposition Composition => _layout.Composition;

    /// <summary>Where the written data lies; one extent covering everything unless sparse.</summary>
    public IReadOnlyList<ImageExtent> Extents => _extents;

    public bool IsSparse => WrittenSize < Size;

    /// <summary>
    /// A volume of <paramref name="volumeSize"/> with <paramref name="writtenSize"/> of data (the dense image of that
    /// size and seed) in extents of 1-64 MiB spread over it. Both sizes are multiples of 1 MiB.
    /// </summary>
    public static DiskImageGenerator Sparse(long volumeSize, long writtenSize, ulong seed, DiskImageMix? mix = null)
    {
        if (writtenSize <= 0 || writtenSize % ExtentUnit != 0 || volumeSize < writtenSize || volumeSize % ExtentUnit != 0)
        {
            throw new ArgumentException($"A sparse image needs 0 < written ≤ volume, both multiples of 1 MiB (volume {volumeSize}, written {writtenSize}).");
        }

        mix ??= DiskImageMix.SystemDisk;
        var layout = ImageLayout.Plan(writtenSize, seed, mix);
        var random = new Xoshiro256StarStar(Xoshiro256StarStar.Derive(seed, 0x535041525345UL));
        var units = writtenSize / ExtentUnit;
        var maxUnits = Math.Clamp(units / 16, 1, 64);
        var lengths = new List<long>();
        for (var left = units; left > 0;)
        {
            var length = Math.Min(left, random.NextBetween(1, maxUnits));
            lengths.Add(length);
            left -= length;
        }

        // The first extent sits at offset 0 (partition table, boot loader); each one is followed by a gap,
        // the gaps drawn at random and together making up the unwritten space.
        var gapUnits = (volumeSize - writtenSize) / ExtentUnit;
        var weights = lengths.Select(_ => random.NextDouble()).ToArray();
        var weightSum = weights.Sum();
        var extents = new ImageExtent[lengths.Count];
        long offset = 0;
        for (var i = 0; i < lengths.Count; i++)
        {
            extents[i] = new ImageExtent(offset * ExtentUnit, lengths[i] * ExtentUnit);
            var gap = i == lengths.Count - 1 ? 0 : (long)(gapUnits * weights[i] / weightSum);
            offset += lengths[i] + gap;
        }

        return new DiskImageGenerator(volumeSize, layout, seed, mix, extents);
    }

    /// <summary>Writes the bytes at <paramref name="offset"/> of the volume into <paramref name="destination"/>.</summary>
    public void Fill(long offset, Span<byte> destination)
    {
        CheckRange(offset, destination.Length);
        ForEachPart(offset, destination.Length, (volumeOffset, denseOffset, length, state) =>
        {
            var part = state.Slice((int)(volumeOffset - offset), (int)length);
            if (denseOffset < 0)
            {
                part.Clear();
            }
            else
            {
                FillDense(denseOffset, part);
            }
        }, destination);
    }

    /// <summary>True when the range holds only zeros (free space or unwritten), known from the layout without reading.</summary>
    public bool IsZero(long offset, long length)
    {
        CheckRange(offset, length);
        var zero = true;
        ForEachPart(offset, length, (_, denseOffset, partLength, _) =>
        {
            if (denseOffset >= 0)
            {
                for (var i = _layout.RegionAt(denseOffset); zero && i < _layout.Regions.Count && _layout.Regions[i].Offset < denseOffset + partLength; i++)
                {
                    zero = _layout.Regions[i].Pattern == ImageContent.Zeros;
                }
            }
        }, Span<byte>.Empty);
        return zero;
    }

    /// <summary>A read-only, seekable stream of the volume's bytes.</summary>
    public Stream OpenRead() => new DiskImageStream(this);

    /// <summary>
    /// Writes the image to <paramref name="path"/>, filling on all cores. With <paramref name="holes"/> (always for a
    /// sparse image) zero runs are left as holes of a sparse file; without, every byte is written, as dd would.
    /// </summary>
    public async Task WriteFileAsync(string path, bool holes, CancellationToken cancellationToken = default)
    {
        using var handle = File.OpenHandle(path, FileMode.Create, FileAccess.Write, FileShare.Read);
        RandomAccess.SetLength(handle, Size);
        IEnumerable<(long Offset, long Length)> ranges = holes || IsSparse ? DataRanges() : [(0, Size)];
        var chunks = new List<(long Offset, int Length)>();
        foreach (var (start, length) in ranges)
        {
            for (var offset = start; offset < start + length; offset += ChunkSize)
            {
                chunks.Add((offset, (int)Math.Min(ChunkSize, start + length - offset)));
            }
        }

        var options = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(chunks, options, async (chunk, token) =>
        {
            var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
            try
            {
                Fill(chunk.Offset, buffer.AsSpan(0, chunk.Length));
                await RandomAccess.WriteAsync(handle, buffer.AsMemory(0, chunk.Length), chunk.Offset, token);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        });
    }

    /// <summary>The ranges of the volume that hold anything but zeros, from the layout, in order.</summary>
    public IEnumerable<(long Offset, long Length)> DataRanges()
    {
        long start = -1, end = -1;
        for (var e = 0; e < _extents.Length; e++)
        {
            var extent = _extents[e];
            var shift = extent.Offset - _denseStarts[e];
            for (var i = _layout.RegionAt(_denseStarts[e]); i < _layout.Regions.Count && _layout.Regions[i].Offset < _denseStarts[e] + extent.Length; i++)
            {
                var region = _layout.Regions[i];
                if (region.Pattern == ImageContent.Zeros)
                {
                    continue;
                }

                var regionStart = Math.Max(region.Offset + shift, extent.Offset);
                var regionEnd = Math.Min(region.End + shift, extent.End);
                if (regionStart != end)
                {
                    if (end > start)
                    {
                        yield return (start, end - start);
                    }

                    start = regionStart;
                }

                end = regionEnd;
            }
        }

        if (end > start)
        {
            yield return (start, end - start);
        }
    }

    public override string ToString()
    {
        var written = IsSparse
            ? string.Create(CultureInfo.InvariantCulture, $", {WrittenSize} bytes written in {Extents.Count} extents")
            : "";
        return string.Create(CultureInfo.InvariantCulture, $"{Size} bytes{written}, seed {Seed}, asked {Mix}; made {Composition}");
    }

    private delegate void PartAction(long volumeOffset, long denseOffset, long length, Span<byte> state);

    /// <summary>Splits a volume range into parts inside extents (with their offset in the dense data) and gaps (-1).</summary>
    private void ForEachPart(long offset, long length, PartAction action, Span<byte> state)
    {
        var end = offset + length;
        var index = Array.BinarySearch(_extentStarts, offset);
        index = index >= 0 ? index : Math.Max(0, ~index - 1);
        var position = offset;
        while (position < end)
        {
            if (index >= _extents.Length || position < _extents[index].Offset)
            {
                var gapEnd = index >= _extents.Length ? end : Math.Min(end, _extents[index].Offset);
                action(position, -1, gapEnd - position, state);
                position = gapEnd;
            }
            else if (position >= _extents[index].End)
            {
                index++;
            }
            else
            {
                var partEnd = Math.Min(end, _extents[index].End);
                action(position, _denseStarts[index] + position - _extents[index].Offset, partEnd - position, state);
                position = partEnd;
                index++;
            }
        }
    }

    private void FillDense(long offset, Span<byte> destination)
    {
        Span<byte> page = stackalloc byte[PagePatterns.PageSize];
        var regionIndex = _layout.RegionAt(offset);
        while (!destination.IsEmpty)
        {
            var region = _layout.Regions[regionIndex];
            var within = offset - region.Offset;
            var length = (int)Math.Min(destination.Length, region.Length - within);
            var part = destination[..length];
            if (region.Pattern == ImageContent.Zeros)
            {
                part.Clear();
            }
            else
            {
                FillPages(region, within, part, page);
            }

            destination = destination[length..];
            offset += length;
            regionIndex++;
        }
    }

    private static void FillPages(ImageRegion region, long within, Span<byte> destination, Span<byte> scratch)
    {
        while (!destination.IsEmpty)
        {
            var pageIndex = within / PagePatterns.PageSize;
            var inPage = (int)(within % PagePatterns.PageSize);
            int length;
            if (inPage == 0 && destination.Length >= PagePatterns.PageSize)
            {
                PagePatterns.Fill(region.Pattern, region.Seed, pageIndex, destination[..PagePatterns.PageSize]);
                length = PagePatterns.PageSize;
            }
            else
            {
                PagePatterns.Fill(region.Pattern, region.Seed, pageIndex, scratch);
                length = Math.Min(destination.Length, PagePatterns.PageSize - inPage);
                scratch.Slice(inPage, length).CopyTo(destination);
            }

            destination = destination[length..];
            within += length;
        }
    }

    private void CheckRange(long offset, long length)
    {
        if (offset < 0 || length < 0 || offset > Size - length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"Range {offset}+{length} is outside the image of {Size} bytes.");
        }
    }
}
