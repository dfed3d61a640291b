using System.Security.Cryptography;
using AmiVault.Blocks;
using AmiVault.Catalog;
using AmiVault.Catalog.Sqlite;
using AmiVault.Ebs;

namespace AmiVault.Tests.Blocks;

/// <summary>
/// What every block store backend promises, run against each (a subclass per backend opens it over the same real
/// SQLite catalog): byte-exact reads, dedupe within and across snapshots, no zero block stored, clear errors, no
/// referenced block ever reclaimed (also racing writers), durability across a reopen of everything acknowledged by
/// concurrent writers, and space given back by reclamation and compaction.
/// </summary>
public abstract class BlockStoreContract : IAsyncLifetime
{
    protected const string Owner = "111111111111";

    private SqliteDatabase? _db;
    private IBlockStore? _store;

    protected string Dir { get; } = Directory.CreateTempSubdirectory("amivault-blocks-").FullName;

    internal SqliteSnapshotCatalog Catalog { get; private set; } = null!;

    internal IBlockIndex Index { get; private set; } = null!;

    internal IBlockStore Store => _store!;

    public async Task InitializeAsync()
    {
        _db = new SqliteDatabase(Path.Combine(Dir, "catalog.db"));
        Catalog = new SqliteSnapshotCatalog(_db);
        Index = new SqliteBlockIndex(_db);
        _store = await OpenAsync();
    }

    public async Task DisposeAsync()
    {
        await CloseAsync(Store);
        await CleanUpAsync();
        _db!.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Dir, recursive: true);
    }

    /// <summary>Opens (or opens again, as after a restart) the backend over <see cref="Dir"/> and <see cref="Index"/>.</summary>
    internal abstract Task<IBlockStore> OpenAsync();

    internal abstract ValueTask CloseAsync(IBlockStore store);

    /// <summary>Removes what the backend keeps outside <see cref="Dir"/>.</summary>
    protected virtual Task CleanUpAsync() => Task.CompletedTask;

    /// <summary>One pass of the backend's compaction.</summary>
    internal abstract Task CompactAsync(IBlockStore store);

    /// <summary>Bytes the backend keeps on its medium (files or objects).</summary>
    protected abstract long StoredBytes();

    internal async Task ReopenAsync()
    {
        await CloseAsync(Store);
        _store = await OpenAsync();
    }

    [Fact]
    public async Task A_block_reads_back_byte_exact_and_identical_blocks_are_stored_once_across_snapshots()
    {
        await NewSnapshotAsync("snap-00000000000000001");
        await NewSnapshotAsync("snap-00000000000000002");
        var data = RandomBlock();
        await PutAsync("snap-00000000000000001", 0, data);
        var afterFirst = StoredBytes();

        await PutAsync("snap-00000000000000001", 7, data);
        await PutAsync("snap-00000000000000002", 3, data);

        Assert.Equal(afterFirst, StoredBytes());
        Assert.Equal(1, await Index.CountAsync());
        Assert.Equal(data, await ReadAsync(data));
        Assert.Equal(2, await Catalog.CountBlocksAsync("snap-00000000000000001"));
    }

    [Fact]
    public async Task The_zero_block_is_never_stored_and_reads_as_zeros()
    {
        await NewSnapshotAsync("snap-00000000000000001");
        var before = StoredBytes();
        await PutAsync("snap-00000000000000001", 3, new byte[IBlockStore.BlockSize]);

        Assert.Equal(before, StoredBytes());
        Assert.Equal(0, await Index.CountAsync());
        Assert.Equal(BlockHashes.Zero.ToArray(), (await Catalog.GetBlockAsync("snap-00000000000000001", 3))!.Hash);
        var back = new byte[IBlockStore.BlockSize];
        Array.Fill(back, (byte)0xAA);
        await Store.ReadAsync(BlockHashes.Zero.ToArray(), back);
        Assert.True(BlockHashes.IsZero(back));
    }

    [Fact]
    public async Task A_block_of_the_wrong_size_is_refused_and_nothing_is_stored()
    {
        var data = new byte[IBlockStore.BlockSize - 1];
        var recorded = false;
        await Assert.ThrowsAsync<ArgumentException>(() => Store.PutAsync(SHA256.HashData(data), data, () =>
        {
            recorded = true;
            return Task.CompletedTask;
        }));
        Assert.False(recorded);
        Assert.Equal(0, await Index.CountAsync());
    }

    [Fact]
    public async Task Reading_a_block_that_was_never_stored_is_a_clear_BlockMissingException()
    {
        var hash = SHA256.HashData(RandomBlock());
        var e = await Assert.ThrowsAsync<BlockMissingException>(() => Store.ReadAsync(hash, new byte[IBlockStore.BlockSize]));
        Assert.Equal(Convert.ToHexStringLower(hash), e.HashHex);
        Assert.Contains(Convert.ToHexStringLower(hash), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reclaiming_after_a_snapshot_is_deleted_frees_its_own_blocks_and_keeps_shared_ones()
    {
        await NewSnapshotAsync("snap-00000000000000001");
        await NewSnapshotAsync("snap-00000000000000002");
        byte[] shared = RandomBlock(), own = RandomBlock();
        await PutAsync("snap-00000000000000001", 0, shared);
        await PutAsync("snap-00000000000000001", 1, own);
        await PutAsync("snap-00000000000000002", 5, shared);

        await Store.ReclaimAsync(await Catalog.DeleteAsync("snap-00000000000000001"));

        Assert.Equal(1, await Index.CountAsync());
        Assert.NotNull(await Index.FindAsync(SHA256.HashData(shared)));
        Assert.Null(await Index.FindAsync(SHA256.HashData(own)));
        Assert.Equal(shared, await ReadAsync(shared));
        await Assert.ThrowsAsync<BlockMissingException>(() => ReadAsync(own));
    }

    [Fact]
    public async Task Puts_racing_reclamation_of_the_same_block_never_lose_a_referenced_block()
    {
        await NewSnapshotAsync("snap-0000000000000000b");
        for (var round = 0; round < 40; round++)
        {
            var doomed = $"snap-1{round:x16}";
            await NewSnapshotAsync(doomed);
            var data = RandomBlock();
            await PutAsync(doomed, 0, data);

            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var reclaim = Task.Run(async () =>
            {
                await start.Task;
                await Store.ReclaimAsync(await Catalog.DeleteAsync(doomed));
            });
            var index = round;
            var put = Task.Run(async () =>
            {
                await start.Task;
                await PutAsync("snap-0000000000000000b", index, data);
            });
            start.SetResult();
            await Task.WhenAll(reclaim, put);

            Assert.True(await Index.FindAsync(SHA256.HashData(data)) is not null, $"round {round}: a block referenced by snap-0000000000000000b was reclaimed");
            Assert.Equal(data, await ReadAsync(data));
        }
    }

    [Fact]
    public async Task Every_block_acknowledged_to_concurrent_writers_is_there_after_a_reopen()
    {
        await NewSnapshotAsync("snap-00000000000000001");
        var blocks = Enumerable.Range(0, 48).Select(i => (Index: (long)i, Data: i % 3 == 0 ? TextBlock(i) : RandomBlock())).ToList();

        await Parallel.ForEachAsync(blocks, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (b, _) => await PutAsync("snap-00000000000000001", b.Index, b.Data));
        await ReopenAsync();

        Assert.Equal(48, await Index.CountAsync());
        foreach (var (index, data) in blocks)
        {
            Assert.Equal(SHA256.HashData(data), (await Catalog.GetBlockAsync("snap-00000000000000001", index))!.Hash);
            Assert.Equal(data, await ReadAsync(data));
        }
    }

    [Fact]
    public async Task Deleting_everything_and_compacting_gives_the_space_back()
    {
        await NewSnapshotAsync("snap-00000000000000001");
        var empty = StoredBytes();
        for (var i = 0; i < 24; i++)
        {
            await PutAsync("snap-00000000000000001", i, RandomBlock());
        }

        Assert.True(StoredBytes() >= 24L * IBlockStore.BlockSize, $"{StoredBytes()} bytes stored for 24 random blocks");

        await Store.ReclaimAsync(await Catalog.DeleteAsync("snap-00000000000000001"));
        await CompactAsync(Store);

        Assert.Equal(0, await Index.CountAsync());
        Assert.True(StoredBytes() <= empty + 4096, $"{StoredBytes()} bytes left after deleting everything");
    }

    [Fact]
    public async Task Compaction_rewrites_mostly_dead_storage_and_every_live_block_still_reads_back()
    {
        await NewSnapshotAsync("snap-00000000000000001");
        await NewSnapshotAsync("snap-00000000000000002");
        var kept = new List<byte[]>();
        for (var i = 0; i < 30; i++)
        {
            var data = RandomBlock();
            var keep = i % 5 == 0;
            await PutAsync(keep ? "snap-00000000000000002" : "snap-00000000000000001", i, data);
            if (keep)
            {
                kept.Add(data);
            }
        }

        var before = StoredBytes();
        await Store.ReclaimAsync(await Catalog.DeleteAsync("snap-00000000000000001"));
        await CompactAsync(Store);

        Assert.True(StoredBytes() < before / 2, $"{StoredBytes()} of {before} bytes left with a fifth of the blocks live");
        await ReopenAsync();
        foreach (var data in kept)
        {
            Assert.Equal(data, await ReadAsync(data));
        }
    }

    internal Task NewSnapshotAsync(string id) =>
        Catalog.InsertAsync(new SnapshotRecord { SnapshotId = id, OwnerId = Owner, VolumeSizeGib = 1, StartTime = DateTimeOffset.UtcNow }, []);

    internal Task PutAsync(string snapshotId, long index, byte[] data)
    {
        var hash = SHA256.HashData(data);
        return Store.PutAsync(hash, data, () => Catalog.PutBlockAsync(snapshotId, index, hash));
    }

    internal async Task<byte[]> ReadAsync(byte[] data)
    {
        var back = new byte[IBlockStore.BlockSize];
        await Store.ReadAsync(SHA256.HashData(data), back);
        return back;
    }

    internal static byte[] RandomBlock() => RandomNumberGenerator.GetBytes(IBlockStore.BlockSize);

    /// <summary>A block zstd shrinks (words with a counter), unique per <paramref name="seed"/>.</summary>
    internal static byte[] TextBlock(int seed)
    {
        var text = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 40_000).Select(i => $"line {seed} {i} of a block; ")));
        return text.AsSpan(0, IBlockStore.BlockSize).ToArray();
    }
}
