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

    /// <summary>Every pack on the backend's medium, by name, as it is stored there (the store closed or idle).</summary>
    internal abstract Task<IReadOnlyDictionary<string, byte[]>> ReadPacksAsync();

    /// <summary>Replaces a pack on the medium (by its name in <see cref="ReadPacksAsync"/>) with other bytes.</summary>
    internal abstract Task RewritePackAsync(string name, byte[] content);

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
        await Store.ReadAsync(BlockScope.Plain, BlockHashes.Zero.ToArray(), back);
        Assert.True(BlockHashes.IsZero(back));
    }

    [Fact]
    public async Task A_block_of_the_wrong_size_is_refused_and_nothing_is_stored()
    {
        var data = new byte[IBlockStore.BlockSize - 1];
        var recorded = false;
        await Assert.ThrowsAsync<ArgumentException>(() => Store.PutAsync(BlockScope.Plain, SHA256.HashData(data), data, () =>
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
        var e = await Assert.ThrowsAsync<BlockMissingException>(() => Store.ReadAsync(BlockScope.Plain, hash, new byte[IBlockStore.BlockSize]));
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

    [Fact]
    public async Task Encrypted_blocks_never_reach_the_medium_in_clear_and_dedupe_never_crosses_an_account_or_plain()
    {
        var keys = new BlockKeys(new DataFolderKeys(Dir));
        var (alice, bob) = (keys.ForAccount("111111111111"), keys.ForAccount("222222222222"));
        await NewSnapshotAsync("snap-00000000000000001");
        await NewSnapshotAsync("snap-00000000000000002");
        await NewSnapshotAsync("snap-00000000000000003");
        var secret = RandomBlock();
        var text = TextBlock(5);
        var control = RandomBlock();
        await PutAsync(alice, "snap-00000000000000001", 0, secret);
        await PutAsync(alice, "snap-00000000000000001", 1, text);
        await PutAsync(alice, "snap-00000000000000001", 2, secret);
        await PutAsync(bob, "snap-00000000000000002", 0, secret);
        await PutAsync(BlockScope.Plain, "snap-00000000000000003", 0, control);

        // Alice's two copies are one record; Bob's copy of the same data and the plain block are records of their own.
        Assert.Equal(4, await Index.CountAsync());
        var sha = SHA256.HashData(secret);
        Assert.NotEqual(alice.AddressOf(sha), bob.AddressOf(sha));
        Assert.NotEqual(sha, alice.AddressOf(sha));
        Assert.Equal(sha, alice.Sha256Of(alice.AddressOf(sha)));
        Assert.Equal(secret, await ReadAsync(alice, secret));
        Assert.Equal(text, await ReadAsync(alice, text));
        Assert.Equal(secret, await ReadAsync(bob, secret));

        var medium = (await ReadPacksAsync()).Values.SelectMany(p => p).ToArray();
        // The scan finds a plain random block (stored as it is), so not finding the encrypted ones means something.
        Assert.True(medium.AsSpan().IndexOf(control.AsSpan(1000, 64)) >= 0);
        foreach (var block in new[] { secret, text })
        {
            foreach (var offset in new[] { 0, 4096, 200_000, IBlockStore.BlockSize - 64 })
            {
                Assert.True(medium.AsSpan().IndexOf(block.AsSpan(offset, 64)) < 0, $"plaintext at block offset {offset} is in a pack");
            }

            Assert.True(medium.AsSpan().IndexOf(SHA256.HashData(block)) < 0, "a plaintext SHA-256 is in a pack");
        }
    }

    [Fact]
    public async Task An_encrypted_block_read_with_another_accounts_key_or_as_plain_is_a_clear_BlockDamagedException()
    {
        var keys = new BlockKeys(new DataFolderKeys(Dir));
        var alice = keys.ForAccount("111111111111");
        await NewSnapshotAsync("snap-00000000000000001");
        var data = TextBlock(9);
        await PutAsync(alice, "snap-00000000000000001", 0, data);
        var address = alice.AddressOf(SHA256.HashData(data));

        var wrongKey = await Assert.ThrowsAsync<BlockDamagedException>(() => Store.ReadAsync(keys.ForAccount("222222222222"), address, new byte[IBlockStore.BlockSize]));
        Assert.Contains("not with this account's key", wrongKey.Message, StringComparison.Ordinal);
        var asPlain = await Assert.ThrowsAsync<BlockDamagedException>(() => Store.ReadAsync(BlockScope.Plain, address, new byte[IBlockStore.BlockSize]));
        Assert.Contains("unencrypted snapshot", asPlain.Message, StringComparison.Ordinal);

        // Another server's master key derives other keys for the same account: its reads fail as clearly.
        var otherServer = new BlockKeys(new DataFolderKeys(Directory.CreateDirectory(Path.Combine(Dir, "other-server")).FullName)).ForAccount("111111111111");
        var otherMaster = await Assert.ThrowsAsync<BlockDamagedException>(() => Store.ReadAsync(otherServer, address, new byte[IBlockStore.BlockSize]));
        Assert.Contains("not with this account's key", otherMaster.Message, StringComparison.Ordinal);
        Assert.Equal(data, await ReadAsync(alice, data));
    }

    [Fact]
    public async Task A_tampered_encrypted_record_whose_checksum_was_made_to_match_fails_authentication_never_wrong_bytes()
    {
        var alice = new BlockKeys(new DataFolderKeys(Dir)).ForAccount("111111111111");
        await NewSnapshotAsync("snap-00000000000000001");
        var data = RandomBlock();
        await PutAsync(alice, "snap-00000000000000001", 0, data);
        var address = alice.AddressOf(SHA256.HashData(data));
        await ReopenAsync();

        // Flip a byte of the ciphertext and write a header whose XXH3 matches the altered bytes, as someone who knows the
        // format but not the key would: only the AES-GCM tag can tell.
        var (name, pack) = (await ReadPacksAsync()).Single(p => p.Value.AsSpan().IndexOf(address) >= 0);
        var start = pack.AsSpan().IndexOf(address) - 16;
        var header = PackFormat.ReadRecordHeader(pack.AsSpan(start))!;
        var stored = pack.AsSpan(start + PackFormat.RecordHeaderLength, header.StoredLength);
        stored[BlockScope.NonceLength + 1000] ^= 0x20;
        PackFormat.WriteRecordHeader(pack.AsSpan(start), address, header.Flags, header.KeyId, stored);
        await RewritePackAsync(name, pack);
        await ReopenAsync();

        var e = await Assert.ThrowsAsync<BlockDamagedException>(() => Store.ReadAsync(alice, address, new byte[IBlockStore.BlockSize]));
        Assert.Contains("authentication", e.Message, StringComparison.Ordinal);
    }

    internal Task NewSnapshotAsync(string id) =>
        Catalog.InsertAsync(new SnapshotRecord { SnapshotId = id, OwnerId = Owner, VolumeSizeGib = 1, StartTime = DateTimeOffset.UtcNow }, []);

    internal Task PutAsync(string snapshotId, long index, byte[] data) => PutAsync(BlockScope.Plain, snapshotId, index, data);

    internal Task PutAsync(BlockScope scope, string snapshotId, long index, byte[] data)
    {
        var address = scope.AddressOf(SHA256.HashData(data));
        return Store.PutAsync(scope, address, data, () => Catalog.PutBlockAsync(snapshotId, index, address));
    }

    internal Task<byte[]> ReadAsync(byte[] data) => ReadAsync(BlockScope.Plain, data);

    internal async Task<byte[]> ReadAsync(BlockScope scope, byte[] data)
    {
        var back = new byte[IBlockStore.BlockSize];
        await Store.ReadAsync(scope, scope.AddressOf(SHA256.HashData(data)), back);
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
