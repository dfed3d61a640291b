using AmiVault.Blocks;
using Microsoft.Extensions.Logging.Abstractions;

namespace AmiVault.Tests.Blocks;

/// <summary>The contract against the local pack backend, with packs small enough that a test spans several.</summary>
public sealed class LocalPackStoreContractTests : BlockStoreContract
{
    internal static readonly PackStoreSettings SmallPacks = new(PackSize: 4L << 20, CompressionLevel: 1, CompactionThreshold: 0.5);

    internal string Root => Path.Combine(Dir, "blocks");

    internal string PacksFolder => Path.Combine(Root, "packs");

    internal override async Task<IBlockStore> OpenAsync() =>
        await PackBlockStore.OpenAsync(Root, new LocalPackFiles(PacksFolder, SmallPacks.PackSize), Index, SmallPacks, NullLogger.Instance);

    internal override ValueTask CloseAsync(IBlockStore store) => ((PackBlockStore)store).DisposeAsync();

    internal override Task CompactAsync(IBlockStore store) => ((PackBlockStore)store).CompactAsync();

    internal override Task<IReadOnlyDictionary<string, byte[]>> ReadPacksAsync() =>
        Task.FromResult<IReadOnlyDictionary<string, byte[]>>(Directory.EnumerateFiles(PacksFolder).ToDictionary(f => f, File.ReadAllBytes));

    internal override Task RewritePackAsync(string name, byte[] content) => File.WriteAllBytesAsync(name, content);

    protected override long StoredBytes() =>
        Directory.Exists(Root) ? Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) : 0;
}
