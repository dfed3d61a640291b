using System.Diagnostics;
using System.Security.Cryptography;
using AmiVault.Imaging;

namespace AmiVault.Tests.Imaging;

public sealed class DiskImageGeneratorTests : IDisposable
{
    private const int Page = 4096;
    private const int Block = 524288;
    private readonly string _folder = Directory.CreateTempSubdirectory("amivault-imaging-").FullName;

    [Fact]
    public void Same_seed_gives_the_same_bytes()
    {
        var first = Read(new DiskImageGenerator(32 << 20, seed: 42));
        var second = Read(new DiskImageGenerator(32 << 20, seed: 42));

        Assert.Equal(SHA256.HashData(first), SHA256.HashData(second));
        Assert.Contains(first, b => b != 0);
    }

    [Fact]
    public void Another_seed_gives_other_bytes()
    {
        var first = Read(new DiskImageGenerator(32 << 20, seed: 1));
        var second = Read(new DiskImageGenerator(32 << 20, seed: 2));

        var pagesOfSecond = NonZeroPages(second).Select(Convert.ToHexString).ToHashSet();
        var firstPages = NonZeroPages(first).Select(Convert.ToHexString).ToList();
        var shared = firstPages.Count(pagesOfSecond.Contains);
        Assert.True(firstPages.Count > 1000);
        Assert.True(shared < firstPages.Count / 100, $"{shared} of {firstPages.Count} non-zero pages are also in the other seed's image");
    }

    [Fact]
    public void Any_range_reads_the_same_bytes_as_reading_in_order()
    {
        var image = new DiskImageGenerator(16 << 20, seed: 9);
        var whole = Read(image);
        var random = new Random(5);
        for (var i = 0; i < 200; i++)
        {
            var offset = random.NextInt64(image.Size);
            var length = (int)Math.Min(image.Size - offset, random.Next(1, 3 * Block));
            var part = new byte[length];

            image.Fill(offset, part);

            Assert.True(whole.AsSpan((int)offset, length).SequenceEqual(part), $"range {offset}+{length} differs");
        }
    }

    [Fact]
    public void The_stream_seeks_and_ends_like_a_file()
    {
        var image = new DiskImageGenerator(1 << 20, seed: 6);
        using var stream = image.OpenRead();
        var tail = new byte[100];
        image.Fill(image.Size - 40, tail.AsSpan(0, 40));

        stream.Seek(-40, SeekOrigin.End);
        var read = new byte[100];

        Assert.Equal(40, stream.Read(read));
        Assert.Equal(tail, read);
        Assert.Equal(0, stream.Read(read));
        stream.Position = image.Size + 5;
        Assert.Equal(0, stream.Read(read));
    }

    [Theory]
    [InlineData("zeros=45,text=20,binary=15,random=15,repeated=5")]
    [InlineData("zeros=10,text=30,binary=10,random=35,repeated=15")]
    [InlineData("random=1")]
    public void The_bytes_hold_roughly_the_mix_that_was_asked(string mixText)
    {
        var mix = DiskImageMix.Parse(mixText);
        var image = new DiskImageGenerator(64 << 20, seed: 3, mix);

        var found = Classify(Read(image));

        foreach (var kind in Enum.GetValues<ImageContent>())
        {
            Assert.True(Math.Abs(found[kind] - mix[kind]) <= 0.02, $"{kind}: found {found[kind]:P1}, asked {mix[kind]:P1}, layout {image.Composition}");
            Assert.InRange(image.Composition.Share(kind), mix[kind] - 0.02, mix[kind] + 0.02);
        }
    }

    [Fact]
    public void Zero_ranges_are_known_without_reading_them()
    {
        var image = new DiskImageGenerator(32 << 20, seed: 11);
        var bytes = Read(image);
        var zeroBlocks = 0;
        for (var offset = 0; offset < bytes.Length; offset += Block)
        {
            var allZero = !bytes.AsSpan(offset, Block).ContainsAnyExcept((byte)0);
            Assert.Equal(allZero, image.IsZero(offset, Block));
            zeroBlocks += allZero ? 1 : 0;
        }

        Assert.InRange(zeroBlocks, 1, bytes.Length / Block - 1);
    }

    [Fact]
    public async Task The_file_holds_the_same_bytes_with_or_without_holes()
    {
        var image = new DiskImageGenerator(24 << 20, seed: 4);
        var dense = Path.Combine(_folder, "dense.img");
        var holes = Path.Combine(_folder, "holes.img");

        await image.WriteFileAsync(dense, holes: false);
        await image.WriteFileAsync(holes, holes: true);

        var expected = SHA256.HashData(Read(image));
        Assert.Equal(expected, SHA256.HashData(await File.ReadAllBytesAsync(dense)));
        Assert.Equal(expected, SHA256.HashData(await File.ReadAllBytesAsync(holes)));
        Assert.True(AllocatedBytes(holes) < AllocatedBytes(dense) * 0.8, "zero runs should be holes");
    }

    [Fact]
    public void A_sparse_volume_holds_the_dense_image_of_its_written_size_in_its_extents()
    {
        var dense = new DiskImageGenerator(32 << 20, seed: 8);
        var sparse = DiskImageGenerator.Sparse(4L << 30, 32 << 20, seed: 8);

        Assert.True(sparse.IsSparse);
        Assert.Equal(4L << 30, sparse.Size);
        Assert.Equal(32 << 20, sparse.Extents.Sum(e => e.Length));
        Assert.Equal(0, sparse.Extents[0].Offset);
        Assert.True(sparse.Extents.Count > 4);
        Assert.True(sparse.Extents.Zip(sparse.Extents.Skip(1)).All(p => p.First.End <= p.Second.Offset), "extents are in order and apart");
        Assert.True(sparse.Extents[^1].End > 2L << 30, "the data is spread over the volume");

        using var written = new MemoryStream();
        foreach (var extent in sparse.Extents)
        {
            var data = new byte[extent.Length];
            sparse.Fill(extent.Offset, data);
            written.Write(data);
        }

        Assert.Equal(SHA256.HashData(Read(dense)), SHA256.HashData(written.ToArray()));

        var gap = (Start: sparse.Extents[0].End, End: sparse.Extents[1].Offset);
        Assert.True(sparse.IsZero(gap.Start, gap.End - gap.Start));
        var straddling = new byte[(int)(gap.End - gap.Start) + 2 * Page];
        sparse.Fill(gap.Start - Page, straddling);
        Assert.False(straddling.AsSpan(Page, straddling.Length - 2 * Page).ContainsAnyExcept((byte)0));
    }

    [Fact]
    public async Task A_terabyte_volume_with_little_written_takes_only_the_written_space_on_disk()
    {
        var sparse = DiskImageGenerator.Sparse(1L << 40, 16 << 20, seed: 5);
        var path = Path.Combine(_folder, "sparse.img");

        await sparse.WriteFileAsync(path, holes: false);

        Assert.Equal(1L << 40, new FileInfo(path).Length);
        Assert.InRange(AllocatedBytes(path), 1 << 20, 24 << 20);
        await using var file = File.OpenRead(path);
        foreach (var extent in sparse.Extents.Take(3))
        {
            var expected = new byte[Math.Min(extent.Length, 1 << 20)];
            sparse.Fill(extent.Offset, expected);
            var actual = new byte[expected.Length];
            file.Position = extent.Offset;
            await file.ReadExactlyAsync(actual);
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void A_mix_prints_in_the_form_it_is_parsed_from()
    {
        var mix = DiskImageMix.Parse("zeros=2, text=1, random=1");

        Assert.Equal(0.5, mix.Zeros);
        Assert.Equal(0.25, mix.Text);
        Assert.Equal(0, mix.Binary);
        Assert.Equal(mix, DiskImageMix.Parse(mix.ToString()));
        Assert.Equal(DiskImageMix.SystemDisk, DiskImageMix.Parse(DiskImageMix.SystemDisk.ToString()));
        Assert.Throws<FormatException>(() => DiskImageMix.Parse("zeroes=1"));
        Assert.Throws<ArgumentException>(() => DiskImageMix.Parse("zeros=-1,text=2"));
    }

    [Fact]
    public void Sizes_that_are_not_whole_pages_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new DiskImageGenerator(1000, seed: 1));
        Assert.Throws<ArgumentException>(() => DiskImageGenerator.Sparse(1L << 30, 2L << 30, seed: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DiskImageGenerator(1 << 20, seed: 1).Fill((1 << 20) - 10, new byte[11]));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static byte[] Read(DiskImageGenerator image)
    {
        var bytes = new byte[image.Size];
        using var stream = image.OpenRead();
        stream.ReadExactly(bytes);
        return bytes;
    }

    private static IEnumerable<byte[]> NonZeroPages(byte[] bytes)
    {
        for (var offset = 0; offset < bytes.Length; offset += Page)
        {
            var page = bytes.AsSpan(offset, Page);
            if (page.ContainsAnyExcept((byte)0))
            {
                yield return SHA256.HashData(page);
            }
        }
    }

    /// <summary>
    /// Sorts the bytes by what they look like, not by what the generator says: blocks that occur more than once are
    /// repeated; otherwise each page is zeros, printable text, incompressible (byte entropy near 8 bits) or binary.
    /// </summary>
    private static Dictionary<ImageContent, double> Classify(byte[] bytes)
    {
        var counts = Enum.GetValues<ImageContent>().ToDictionary(k => k, _ => 0L);
        var blockHashes = Enumerable.Range(0, bytes.Length / Block)
            .Select(b => Convert.ToHexString(SHA256.HashData(bytes.AsSpan(b * Block, Block))))
            .ToList();
        var copies = blockHashes.GroupBy(h => h).ToDictionary(g => g.Key, g => g.Count());
        for (var b = 0; b < blockHashes.Count; b++)
        {
            var block = bytes.AsSpan(b * Block, Block);
            if (copies[blockHashes[b]] > 1 && block.ContainsAnyExcept((byte)0))
            {
                counts[ImageContent.Repeated] += Block;
                continue;
            }

            for (var offset = 0; offset < Block; offset += Page)
            {
                counts[ClassifyPage(block.Slice(offset, Page))] += Page;
            }
        }

        return counts.ToDictionary(c => c.Key, c => (double)c.Value / bytes.Length);
    }

    private static ImageContent ClassifyPage(ReadOnlySpan<byte> page)
    {
        if (!page.ContainsAnyExcept((byte)0))
        {
            return ImageContent.Zeros;
        }

        if (!page.ContainsAnyExceptInRange((byte)0x20, (byte)0x7E) || IsText(page))
        {
            return ImageContent.Text;
        }

        Span<int> histogram = stackalloc int[256];
        foreach (var b in page)
        {
            histogram[b]++;
        }

        var entropy = 0.0;
        foreach (var count in histogram)
        {
            if (count > 0)
            {
                var p = (double)count / page.Length;
                entropy -= p * Math.Log2(p);
            }
        }

        return entropy > 7.8 ? ImageContent.Random : ImageContent.Binary;
    }

    private static bool IsText(ReadOnlySpan<byte> page)
    {
        foreach (var b in page)
        {
            if (b is not (>= 0x20 and <= 0x7E) and not (byte)'\n' and not (byte)'\t')
            {
                return false;
            }
        }

        return true;
    }

    private static long AllocatedBytes(string path)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["--format=%b %B", path]) { RedirectStandardOutput = true })!;
        var fields = stat.StandardOutput.ReadToEnd().Split(' ');
        stat.WaitForExit();
        return long.Parse(fields[0], System.Globalization.CultureInfo.InvariantCulture) * long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
