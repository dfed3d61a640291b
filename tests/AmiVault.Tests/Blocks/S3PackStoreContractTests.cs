using System.Security.Cryptography;
using AmiVault.Blocks;
using AmiVault.Configuration;
using AmiVault.ObjectStore;
using AmiVault.ObjectStore.External;
using AmiVault.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AmiVault.Tests.Blocks;

/// <summary>
/// The contract against the S3 backend on a real Ceph RGW (a bucket of its own per test), and what S3 adds: an
/// acknowledged block needs nothing of the server that wrote it, missing or damaged pack objects are clear errors,
/// reads go through a bounded local cache, small pack objects are merged, and stray objects are removed only when old.
/// </summary>
[Collection(CephCollection.Name)]
public sealed class S3PackStoreContractTests(CephRgwFixture ceph) : BlockStoreContract, IDisposable
{
    private const string Prefix = "cluster-a/";

    private readonly string _bucket = "amivault-blocks-" + Guid.NewGuid().ToString("N")[..12];
    private readonly ExternalObjectStoreProvider _s3 = new(
        new BucketOptions { Backend = "external", EndpointUrl = ceph.EndpointUrl, AccessKeyId = ceph.AccessKey, SecretAccessKey = ceph.SecretKey },
        "us-east-1");

    private int _cacheMiB = 4;
    private int _graceMinutes = 60;

    private IObjectStore S3 => _s3.ForAccount("test");

    private string CacheFolder => Path.Combine(Dir, "blocks", "cache");

    internal override Task<IBlockStore> OpenAsync() => OpenAsync(Path.Combine(Dir, "blocks"));

    internal override ValueTask CloseAsync(IBlockStore store) => ((PackBlockStore)store).DisposeAsync();

    internal override Task CompactAsync(IBlockStore store) => ((PackBlockStore)store).CompactAsync();

    protected override long StoredBytes() => ListPacksAsync().GetAwaiter().GetResult().Sum(o => o.Size);

    internal override async Task<IReadOnlyDictionary<string, byte[]>> ReadPacksAsync()
    {
        var packs = new Dictionary<string, byte[]>();
        foreach (var pack in await ListPacksAsync())
        {
            await using var content = await S3.GetObjectAsync(_bucket, pack.Key, ObjectReadOptions.Whole);
            using var copy = new MemoryStream();
            await content.Body.CopyToAsync(copy);
            packs[pack.Key] = copy.ToArray();
        }

        return packs;
    }

    internal override Task RewritePackAsync(string name, byte[] content) =>
        S3.PutObjectAsync(_bucket, name, new MemoryStream(content), content.Length, ObjectWriteOptions.Default);

    protected override async Task CleanUpAsync()
    {
        foreach (var pack in await ListPacksAsync())
        {
            await S3.DeleteObjectAsync(_bucket, pack.Key);
        }

        await S3.DeleteBucketAsync(_bucket);
    }

    public void Dispose() => _s3.Dispose();

    [Fact]
    public async Task An_acknowledged_block_is_in_S3_and_reads_back_through_a_server_that_shares_nothing_local_with_the_writer()
    {
        await NewSnapshotAsync("snap-00000000000000001");
        var blocks = Enumerable.Range(0, 12).Select(i => i % 2 == 0 ? RandomBlock() : TextBlock(i)).ToList();
        await Parallel.ForEachAsync(Enumerable.Range(0, blocks.Count), async (i, _) => await PutAsync("snap-00000000000000001", i, blocks[i]));

        // The writer is neither closed nor asked anything again: another server with its own (empty) local folder
        // and the same catalog reads every block from the bucket.
        var other = await OpenAsync(Path.Combine(Dir, "other-server"));
        try
        {
            var back = new byte[IBlockStore.BlockSize];
            foreach (var data in blocks)
            {
                await other.ReadAsync(BlockScope.Plain, SHA256.HashData(data), back);
                Assert.Equal(data, back);
            }
        }
        finally
        {
            await CloseAsync(other);
        }

        Assert.NotEmpty(await ListPacksAsync());
    }

    [Fact]
    public async Task A_block_another_server_reclaims_while_this_one_references_it_is_stored_again()
    {
        await NewSnapshotAsync("snap-00000000000000001");
        await NewSnapshotAsync("snap-00000000000000002");
        var data = RandomBlock();
        var hash = SHA256.HashData(data);
        await PutAsync("snap-00000000000000001", 0, data);

        // This server finds the block stored and goes to reference it; meanwhile another server (its own locks)
        // deletes the only snapshot using it and reclaims it.
        var other = await OpenAsync(Path.Combine(Dir, "other-server"));
        try
        {
            await Store.PutAsync(BlockScope.Plain, hash, data, async () =>
            {
                await other.ReclaimAsync(await Catalog.DeleteAsync("snap-00000000000000001"));
                Assert.Null(await Index.FindAsync(hash));
                await Catalog.PutBlockAsync("snap-00000000000000002", 4, hash);
            });
        }
        finally
        {
            await CloseAsync(other);
        }

        Assert.NotNull(await Index.FindAsync(hash));
        Assert.Equal(data, await ReadAsync(data));
    }

    [Fact]
    public async Task A_pack_object_missing_from_S3_is_a_clear_BlockMissingException()
    {
        await NewSnapshotAsync("snap-00000000000000001");
        var data = RandomBlock();
        await PutAsync("snap-00000000000000001", 0, data);
        await S3.DeleteObjectAsync(_bucket, Assert.Single(await ListPacksAsync()).Key);

        var e = await Assert.ThrowsAsync<BlockMissingException>(() => ReadAsync(data));
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
        Assert.Contains($"s3://{_bucket}/{Prefix}packs/", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_flipped_byte_in_a_pack_object_is_a_clear_BlockDamagedException_never_wrong_bytes()
    {
        await NewSnapshotAsync("snap-00000000000000001");
        var data = RandomBlock();
        await PutAsync("snap-00000000000000001", 0, data);
        var (key, pack) = Assert.Single(await ReadPacksAsync());
        pack[PackFormat.FileHeaderLength + PackFormat.RecordHeaderLength + 1000] ^= 0x40;
        await RewritePackAsync(key, pack);

        var e = await Assert.ThrowsAsync<BlockDamagedException>(() => ReadAsync(data));
        Assert.Contains("checksum", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reads_go_through_a_local_cache_that_stays_within_its_bound()
    {
        await NewSnapshotAsync("snap-00000000000000001");
        var blocks = Enumerable.Range(0, 16).Select(_ => RandomBlock()).ToList();
        for (var i = 0; i < blocks.Count; i++)
        {
            await PutAsync("snap-00000000000000001", i, blocks[i]);
        }

        foreach (var data in blocks)
        {
            Assert.Equal(data, await ReadAsync(data));
            Assert.True(CachedBytes() <= 4L << 20, $"{CachedBytes()} bytes cached with a 4 MiB cache");
        }

        // With the objects gone, the blocks read last still come from the cache; the first ones were evicted.
        foreach (var pack in await ListPacksAsync())
        {
            await S3.DeleteObjectAsync(_bucket, pack.Key);
        }

        Assert.Equal(blocks[^1], await ReadAsync(blocks[^1]));
        await Assert.ThrowsAsync<BlockMissingException>(() => ReadAsync(blocks[0]));
    }

    [Fact]
    public async Task Compaction_merges_the_small_pack_objects_of_single_writers_and_every_block_reads_back()
    {
        await NewSnapshotAsync("snap-00000000000000001");
        var blocks = Enumerable.Range(0, 20).Select(i => i % 2 == 0 ? RandomBlock() : TextBlock(i)).ToList();
        for (var i = 0; i < blocks.Count; i++)
        {
            await PutAsync("snap-00000000000000001", i, blocks[i]);
        }

        Assert.Equal(20, (await ListPacksAsync()).Count);
        await CompactAsync(Store);

        // 4 MiB packs: the 20 records (about 7 MiB) fit in two merged objects.
        Assert.InRange((await ListPacksAsync()).Count, 1, 3);
        await ReopenAsync();
        foreach (var data in blocks)
        {
            Assert.Equal(data, await ReadAsync(data));
        }

        await CompactAsync(Store);
        Assert.InRange((await ListPacksAsync()).Count, 1, 3);
    }

    [Fact]
    public async Task An_object_the_catalog_never_knew_is_removed_on_open_only_once_it_is_older_than_the_grace()
    {
        var stray = $"{Prefix}packs/{1:D19}.pack";
        await S3.PutObjectAsync(_bucket, stray, new MemoryStream(PackFormat.FileHeader()), PackFormat.FileHeaderLength, ObjectWriteOptions.Default);

        await ReopenAsync();
        Assert.Contains(await ListPacksAsync(), o => o.Key == stray);

        _graceMinutes = 0;
        await ReopenAsync();
        Assert.DoesNotContain(await ListPacksAsync(), o => o.Key == stray);
    }

    [Fact]
    public async Task Without_a_cache_every_read_is_a_ranged_GET_and_nothing_is_kept_locally()
    {
        _cacheMiB = 0;
        await ReopenAsync();
        await NewSnapshotAsync("snap-00000000000000001");
        var data = TextBlock(7);
        await PutAsync("snap-00000000000000001", 0, data);

        Assert.Equal(data, await ReadAsync(data));
        Assert.Equal(data, await ReadAsync(data));
        Assert.False(Directory.Exists(CacheFolder));
    }

    private async Task<IBlockStore> OpenAsync(string root)
    {
        var options = new BlockOptions
        {
            Backend = BlockOptions.S3,
            EndpointUrl = ceph.EndpointUrl,
            Bucket = _bucket,
            Prefix = Prefix.TrimEnd('/'),
            AccessKeyId = ceph.AccessKey,
            SecretAccessKey = ceph.SecretKey,
            CacheMiB = _cacheMiB,
            OrphanGraceMinutes = _graceMinutes,
        };
        var packs = await PackBackends.OpenAsync(options, root, "us-east-1", CancellationToken.None);
        return await PackBlockStore.OpenAsync(root, packs, Index, LocalPackStoreContractTests.SmallPacks, NullLogger.Instance);
    }

    private async Task<List<ObjectSummary>> ListPacksAsync()
    {
        var listing = await S3.ListObjectsAsync(_bucket, new ListObjectsQuery { Prefix = Prefix });
        return [.. listing.Objects];
    }

    private long CachedBytes() =>
        Directory.Exists(CacheFolder) ? Directory.EnumerateFiles(CacheFolder).Sum(f => new FileInfo(f).Length) : 0;
}
