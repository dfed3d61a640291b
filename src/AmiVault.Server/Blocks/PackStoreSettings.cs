using AmiVault.Configuration;

namespace AmiVault.Blocks;

/// <summary>The pack store's tunables, from <see cref="BlockOptions"/> (tests pick small packs).</summary>
internal sealed record PackStoreSettings(long PackSize, int CompressionLevel, double CompactionThreshold)
{
    public static PackStoreSettings From(BlockOptions options) =>
        new((long)options.PackSizeMiB << 20, options.Compression == "zstd" ? BlockCodec.FastLevel : 0, options.CompactionThreshold);
}
