using System.Security.Cryptography;
using AmiVault.Blocks;
using AmiVault.Catalog;
using AmiVault.Catalog.Sqlite;
using AmiVault.Ebs;

namespace AmiVault.Tests.Blocks;

public sealed class LocalBlockStoreTests : IDisposable
{
    private const string Owner = "111111111111";
    private readonly string _dir = Directory.CreateTempSubdirectory("amivault-blocks-").FullName;
    private readonly SqliteDatabase _db;
    private readonly SqliteSnapshotCatalog _catalog;
    private readonly LocalBlockStore _store;

    public LocalBlockStoreTests()
    {
        _db = new SqliteDatabase(Path.Combine(_dir, "catalog.db"));
        _catalog = new SqliteSnapshotCatalog(_db);
        _store = new LocalBlockStore(Path.Combine(_dir, "blocks"), _catalog);
    }

    [Fact]
    public async Task A_block_reads_back_byte_exact_and_identical_blocks_are_stored_once()
    {
        await NewSnapshotAsync("snap-00000000000000001");
        var data = RandomBlock();
        var hash = SHA256.HashData(data);
        await PutAsync("snap-00000000000000001", 0, data);
        var path = _store.PathOf(hash);
        var firstWrite = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(path, firstWrite);

        await PutAsync("snap-00000000000000001", 7, data);

        Assert.Equal(firstWrite, File.GetLastWriteTimeUtc(path));
        Assert.Single(StoredFiles());
        var back = new byte[IBlockStore.BlockSize];
        await _store.ReadAsync(hash, back);
        Assert.Equal(data, back);
        Assert.Equal(2, await _catalog.CountBlocksAsync("snap-00000000000000001"));
    }

    [Fact]
    public async Task The_zero_block_is_never_written_and_reads_as_zeros()
    {
        await NewSnapshotAsync("snap-00000000000000001");
        await PutAsync("snap-00000000000000001", 3, new byte[IBlockStore.BlockSize]);

        Assert.Empty(StoredFiles());
        Assert.Equal(BlockHashes.Zero.ToArray(), (await _catalog.GetBlockAsync("snap-00000000000000001", 3))!.Hash);
        var back = new byte[IBlockStore.BlockSize];
        Array.Fill(back, (byte)0xAA);
        await _store.ReadAsync(BlockHashes.Zero.ToArray(), back);
        Assert.True(BlockHashes.IsZero(back));
    }

    [Fact]
    public void The_zero_hash_constant_is_the_SHA256_of_an_empty_block_and_zero_detection_sees_one_stray_byte()
    {
        var zeros = new byte[IBlockStore.BlockSize];
        Assert.Equal(SHA256.HashData(zeros), BlockHashes.Zero.ToArray());
        Assert.Equal(BlockHashes.ZeroBase64, Convert.ToBase64String(SHA256.HashData(zeros)));
        Assert.True(BlockHashes.IsZero(zeros));
        zeros[^1] = 1;
        Assert.False(BlockHashes.IsZero(zeros));
    }

    [Fact]
    public void The_linear_checksum_matches_the_published_test_vector()
    {
        using var linear = new LinearChecksum();
        linear.Append(SHA256.HashData(new byte[IBlockStore.BlockSize]));
        linear.Append(SHA256.HashData(Enumerable.Repeat((byte)1, IBlockStore.BlockSize).ToArray()));
        Assert.Equal("HFRGTdrSd+vfQo2s4W+AwgFjuBSYcNtoI3LPFCEQbPw=", linear.ToBase64());
    }

    [Fact]
    public async Task A_block_of_the_wrong_size_is_refused_and_nothing_is_stored()
    {
        await NewSnapshotAsync("snap-00000000000000001");
        var data = new byte[IBlockStore.BlockSize - 1];
        var recorded = false;
        await Assert.ThrowsAsync<ArgumentException>(() => _store.PutAsync(SHA256.HashData(data), data, () =>
        {
            recorded = true;
            return Task.CompletedTask;
        }));
        Assert.False(recorded);
        Assert.Empty(StoredFiles());
    }

    [Fact]
    public async Task Reading_a_block_whose_file_is_gone_is_a_clear_BlockMissingException()
    {
        await NewSnapshotAsync("snap-00000000000000001");
        var data = RandomBlock();
        var hash = SHA256.HashData(data);
        await PutAsync("snap-00000000000000001", 0, data);
        File.Delete(_store.PathOf(hash));

        var e = await Assert.ThrowsAsync<BlockMissingException>(() => _store.ReadAsync(hash, new byte[IBlockStore.BlockSize]));
        Assert.Equal(Convert.ToHexStringLower(hash), e.HashHex);
        Assert.Contains(Convert.ToHexStringLower(hash), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Leftovers_of_a_crash_are_removed_on_open_and_never_visible_as_blocks()
    {
        var data = RandomBlock();
        var hash = SHA256.HashData(data);
        var torn = Path.Combine(_store.Root, "tmp", Convert.ToHexStringLower(hash) + ".crashed");
        await File.WriteAllBytesAsync(torn, data.AsMemory(0, 1000).ToArray());

        var reopened = new LocalBlockStore(_store.Root, _catalog);

        Assert.False(File.Exists(torn));
        Assert.False(reopened.Contains(hash));
        await Assert.ThrowsAsync<BlockMissingException>(() => reopened.ReadAsync(hash, new byte[IBlockStore.BlockSize]));
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

        await _store.ReclaimAsync(await _catalog.DeleteAsync("snap-00000000000000001"));

        Assert.True(_store.Contains(SHA256.HashData(shared)));
        Assert.False(_store.Contains(SHA256.HashData(own)));
        Assert.Single(StoredFiles());
    }

    [Fact]
    public async Task Puts_racing_reclamation_of_the_same_block_never_lose_a_referenced_block()
    {
        await NewSnapshotAsync("snap-0000000000000000b");
        for (var round = 0; round < 60; round++)
        {
            var doomed = $"snap-1{round:x16}";
            await NewSnapshotAsync(doomed);
            var data = RandomBlock();
            var hash = SHA256.HashData(data);
            await PutAsync(doomed, 0, data);

            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var reclaim = Task.Run(async () =>
            {
                await start.Task;
                await _store.ReclaimAsync(await _catalog.DeleteAsync(doomed));
            });
            var index = round;
            var put = Task.Run(async () =>
            {
                await start.Task;
                await PutAsync("snap-0000000000000000b", index, data);
            });
            start.SetResult();
            await Task.WhenAll(reclaim, put);

            Assert.True(_store.Contains(hash), $"round {round}: a block referenced by snap-0000000000000000b was reclaimed");
            var back = new byte[IBlockStore.BlockSize];
            await _store.ReadAsync(hash, back);
            Assert.Equal(data, back);
        }
    }

    private Task NewSnapshotAsync(string id) =>
        _catalog.InsertAsync(new SnapshotRecord { SnapshotId = id, OwnerId = Owner, VolumeSizeGib = 1, StartTime = DateTimeOffset.UtcNow }, []);

    private Task PutAsync(string snapshotId, long index, byte[] data)
    {
        var hash = SHA256.HashData(data);
        return _store.PutAsync(hash, data, () => _catalog.PutBlockAsync(snapshotId, index, hash));
    }

    private string[] StoredFiles() =>
        [.. Directory.EnumerateFiles(_store.Root, "*", SearchOption.AllDirectories).Where(f => Path.GetDirectoryName(f) != Path.Combine(_store.Root, "tmp"))];

    private static byte[] RandomBlock() => RandomNumberGenerator.GetBytes(IBlockStore.BlockSize);

    public void Dispose()
    {
        _db.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }
}
