using AmiVault.Imaging;

namespace AmiVault.Benchmarks.Micro;

/// <summary>512 KiB blocks of each kind of content, from the disk image generator, for the micro-benchmarks.</summary>
internal static class MicroInputs
{
    public const int BlockSize = 524288;

    /// <summary>"text", "binary", "random", "zeros", or "mixed" (a block of a system-disk image holding several kinds).</summary>
    public static byte[] Block(string content)
    {
        var block = new byte[BlockSize];
        if (content == "mixed")
        {
            var image = new DiskImageGenerator(256L << 20, seed: 1);
            var offset = Enumerable.Range(0, (int)(image.Size / BlockSize)).Select(b => (long)b * BlockSize)
                .First(o => !image.IsZero(o, BlockSize) && Enumerable.Range(0, 8).Any(p => image.IsZero(o + p * (BlockSize / 8), BlockSize / 8)));
            image.Fill(offset, block);
            return block;
        }

        var kind = Enum.Parse<ImageContent>(content, ignoreCase: true);
        var mix = new DiskImageMix(kind == ImageContent.Zeros ? 1 : 0, kind == ImageContent.Text ? 1 : 0, kind == ImageContent.Binary ? 1 : 0, kind == ImageContent.Random ? 1 : 0, 0);
        new DiskImageGenerator(BlockSize, seed: 1, mix).Fill(0, block);
        return block;
    }
}
