namespace AmiVault.Imaging;

/// <summary>
/// Where each kind of content lies in an image's written data: files and free space in shuffled runs at 4 KiB
/// granularity, as a filesystem leaves them, then some 512 KiB-aligned blocks overwritten with copies of a few
/// common blocks, as duplicated files are.
/// </summary>
internal sealed class ImageLayout
{
    public const int BlockSize = 524288;
    private const int PageSize = PagePatterns.PageSize;
    private const int MaxRepeatedPool = 64;

    private readonly ImageRegion[] _regions;
    private readonly long[] _starts;

    private ImageLayout(long size, ImageRegion[] regions, int distinctRepeatedBlocks)
    {
        Size = size;
        _regions = regions;
        _starts = regions.Select(r => r.Offset).ToArray();
        var bytes = new Dictionary<ImageContent, long>();
        foreach (var region in regions)
        {
            bytes[region.Content] = bytes.GetValueOrDefault(region.Content) + region.Length;
        }

        Composition = new ImageComposition(bytes, distinctRepeatedBlocks);
    }

    public long Size { get; }

    public IReadOnlyList<ImageRegion> Regions => _regions;

    public ImageComposition Composition { get; }

    public static ImageLayout Plan(long size, ulong seed, DiskImageMix mix)
    {
        if (size <= 0 || size % PageSize != 0)
        {
            throw new ArgumentException($"An image's size must be a positive multiple of {PageSize} bytes, not {size}.", nameof(size));
        }

        var random = new Xoshiro256StarStar(Xoshiro256StarStar.Derive(seed, 0x4C41594F5554UL));
        var baseRegions = PlanFiles(size, mix, ref random);
        var slots = PlanRepeatedBlocks(size, mix, ref random, out var pool);
        return new ImageLayout(size, Overlay(baseRegions, slots), pool);
    }

    /// <summary>The index of the region that holds <paramref name="offset"/>.</summary>
    public int RegionAt(long offset)
    {
        var index = Array.BinarySearch(_starts, offset);
        return index >= 0 ? index : ~index - 1;
    }

    private static List<ImageRegion> PlanFiles(long size, DiskImageMix mix, ref Xoshiro256StarStar random)
    {
        // Repeated blocks are laid over these runs afterwards, taking from each kind in proportion,
        // so the runs are planned for the other kinds' shares of what remains.
        ImageContent[] kinds = [ImageContent.Zeros, ImageContent.Text, ImageContent.Binary, ImageContent.Random];
        var rest = kinds.Sum(k => mix[k]);
        var pages = size / PageSize;
        var budgets = kinds.Select(k => rest > 0 ? (long)Math.Round(pages * mix[k] / rest) : 0).ToArray();
        if (rest <= 0)
        {
            budgets[0] = pages;
        }

        // Rounding may leave a page or two over or short: the largest kind absorbs it.
        var largest = Array.IndexOf(budgets, budgets.Max());
        budgets[largest] += pages - budgets.Sum();

        var runs = new List<(ImageContent Kind, long Pages)>();
        for (var k = 0; k < kinds.Length; k++)
        {
            var (min, max) = RunPages(kinds[k], size);
            for (var left = budgets[k]; left > 0;)
            {
                var run = Math.Min(left, random.NextBetween(min, max));
                runs.Add((kinds[k], run));
                left -= run;
            }
        }

        for (var i = runs.Count - 1; i > 0; i--)
        {
            var j = (int)random.NextBelow(i + 1);
            (runs[i], runs[j]) = (runs[j], runs[i]);
        }

        var regions = new List<ImageRegion>(runs.Count);
        long offset = 0;
        foreach (var (kind, runPages) in runs)
        {
            regions.Add(new ImageRegion(offset, runPages * PageSize, kind, kind, random.Next()));
            offset += runPages * PageSize;
        }

        return regions;
    }

    /// <summary>Run lengths in pages, scaled to the image so a small image still has many runs of each kind.</summary>
    private static (long Min, long Max) RunPages(ImageContent kind, long size)
    {
        var (divisor, cap, spread) = kind switch
        {
            ImageContent.Zeros => (32L, 64L << 20, 64L),   // free space: 1-64 MiB runs on a 2 GiB disk
            ImageContent.Random => (128L, 16L << 20, 16L), // compressed archives, media, encrypted files
            _ => (512L, 4L << 20, 1024L),                  // text and binaries: files of a few KiB to 4 MiB
        };
        var max = Math.Clamp(size / divisor, PageSize, cap) / PageSize;
        return (Math.Max(1, max / spread), max);
    }

    private static (long Block, int PoolIndex, ulong Seed)[] PlanRepeatedBlocks(long size, DiskImageMix mix, ref Xoshiro256StarStar random, out int poolSize)
    {
        var blocks = size / BlockSize;
        var count = (int)Math.Min(blocks, Math.Round(size * mix.Repeated / BlockSize));
        poolSize = Math.Clamp(count / 4, count == 0 ? 0 : 1, MaxRepeatedPool);
        if (count == 0)
        {
            return [];
        }

        // A partial Fisher-Yates shuffle picks distinct block slots.
        var candidates = new int[blocks];
        for (var i = 0; i < candidates.Length; i++)
        {
            candidates[i] = i;
        }

        var poolSeeds = new ulong[poolSize];
        for (var i = 0; i < poolSeeds.Length; i++)
        {
            poolSeeds[i] = random.Next();
        }

        var slots = new (long Block, int PoolIndex, ulong Seed)[count];
        for (var i = 0; i < count; i++)
        {
            var j = i + (int)random.NextBelow(blocks - i);
            (candidates[i], candidates[j]) = (candidates[j], candidates[i]);
            // The first two rounds give every pool block at least two copies; the rest are drawn at random.
            var pool = i < 2 * poolSize ? i % poolSize : (int)random.NextBelow(poolSize);
            slots[i] = (candidates[i], pool, poolSeeds[pool]);
        }

        Array.Sort(slots, (a, b) => a.Block.CompareTo(b.Block));
        return slots;
    }

    private static ImageRegion[] Overlay(List<ImageRegion> runs, (long Block, int PoolIndex, ulong Seed)[] slots)
    {
        var result = new List<ImageRegion>(runs.Count + 2 * slots.Length);
        var next = 0;
        foreach (var run in runs)
        {
            var start = run.Offset;
            while (start < run.End)
            {
                var slotStart = next < slots.Length ? slots[next].Block * BlockSize : long.MaxValue;
                if (slotStart >= run.End)
                {
                    result.Add(run with { Offset = start, Length = run.End - start });
                    break;
                }

                if (slotStart > start)
                {
                    result.Add(run with { Offset = start, Length = slotStart - start });
                    start = slotStart;
                    continue;
                }

                // start lies inside the current slot: add it when first reached, then skip past it.
                var slot = slots[next];
                if (result.Count == 0 || result[^1].Offset != slotStart || result[^1].Content != ImageContent.Repeated)
                {
                    var pattern = slot.PoolIndex % 2 == 0 ? ImageContent.Text : ImageContent.Binary;
                    result.Add(new ImageRegion(slotStart, BlockSize, ImageContent.Repeated, pattern, slot.Seed));
                }

                start = Math.Min(run.End, slotStart + BlockSize);
                if (start == slotStart + BlockSize)
                {
                    next++;
                }
            }
        }

        return [.. result];
    }
}
