using System.Security.Cryptography;
using AmiVault.Blocks;
using AmiVault.Catalog;

namespace AmiVault.Tests.Blocks;

/// <summary>
/// The local pack backend's own promises beyond the contract: a crash's torn tail is cut, damage of every kind is a
/// clear error and never wrong bytes, leftovers of a crash are cleaned up on open, compaction is safe for readers, and
/// a block folder of the previous release is migrated.
/// </summary>
public sealed class PackBlockStoreTests : IAsyncLifetime
{
    private const string Snapshot = "snap-00000000000000001";
    private readonly LocalPackStoreContractTests _h = new();

    private PackBlockStore Store => (PackBlockStore)_h.Store;

    public async Task InitializeAsync()
    {
        await _h.InitializeAsync();
        await _h.NewSnapshotAsync(Snapshot);
        await _h.NewSnapshotAsync("snap-00000000000000002");
    }

    public Task DisposeAsync() => _h.DisposeAsync();

    [Fact]
    public async Task A_torn_tail_is_cut_on_open_and_writing_goes_on_after_it()
    {
        var blocks = new[] { BlockStoreContract.RandomBlock(), BlockStoreContract.TextBlock(1) };
        for (var i = 0; i < blocks.Length; i++)
        {
            await _h.PutAsync(Snapshot, i, blocks[i]);
        }

        var pack = SinglePack();
        var whole = new FileInfo(pack).Length;
        await _h.CloseAsync(Store);
        // A crash in the middle of the next batch: a record header and part of its data reached the disk.
        var torn = new byte[PackFormat.RecordHeaderLength + 1000];
        PackFormat.WriteRecordHeader(torn, SHA256.HashData(blocks[0]), PackRecordFlags.None, 0, new byte[IBlockStore.BlockSize]);
        await using (var file = new FileStream(pack, FileMode.Append))
        {
            await file.WriteAsync(torn);
        }

        await ReopenAsync();

        Assert.Equal(whole, new FileInfo(pack).Length);
        for (var i = 0; i < blocks.Length; i++)
        {
            Assert.Equal(blocks[i], await _h.ReadAsync(blocks[i]));
        }

        var next = BlockStoreContract.RandomBlock();
        await _h.PutAsync(Snapshot, 5, next);
        Assert.Equal(next, await _h.ReadAsync(next));
        Assert.Equal(pack, SinglePack());
    }

    [Theory]
    [InlineData(PackFormat.RecordHeaderLength + 4000, "checksum")] // in the stored data
    [InlineData(20, "holds block")] // in the hash of the header
    [InlineData(9, "no record")] // in the length of the header
    public async Task A_flipped_byte_makes_the_read_fail_clearly_never_return_wrong_bytes(int offsetInRecord, string problem)
    {
        var data = BlockStoreContract.RandomBlock();
        await _h.PutAsync(Snapshot, 0, data);
        var location = (await _h.Index.FindAsync(SHA256.HashData(data)))!.Value;
        await _h.CloseAsync(Store);
        Flip(SinglePack(), location.Offset + offsetInRecord);
        await ReopenAsync();

        var e = await Assert.ThrowsAsync<BlockDamagedException>(() => _h.ReadAsync(data));
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(data)), e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_truncated_pack_fails_reads_of_what_was_cut_keeps_the_rest_and_new_writes_go_elsewhere()
    {
        byte[] first = BlockStoreContract.RandomBlock(), second = BlockStoreContract.RandomBlock();
        await _h.PutAsync(Snapshot, 0, first);
        await _h.PutAsync(Snapshot, 1, second);
        var cut = (await _h.Index.FindAsync(SHA256.HashData(second)))!.Value;
        var pack = SinglePack();
        await _h.CloseAsync(Store);
        using (var file = new FileStream(pack, FileMode.Open, FileAccess.Write))
        {
            file.SetLength(cut.Offset + 100);
        }

        await ReopenAsync();

        Assert.Equal(first, await _h.ReadAsync(first));
        var e = await Assert.ThrowsAsync<BlockDamagedException>(() => _h.ReadAsync(second));
        Assert.Contains("the pack ends at byte", e.Message, StringComparison.Ordinal);
        var third = BlockStoreContract.RandomBlock();
        await _h.PutAsync(Snapshot, 2, third);
        Assert.Equal(third, await _h.ReadAsync(third));
        Assert.Equal(cut.Offset + 100, new FileInfo(pack).Length);
        Assert.NotEqual(cut.PackId, (await _h.Index.FindAsync(SHA256.HashData(third)))!.Value.PackId);
    }

    [Fact]
    public async Task An_index_entry_pointing_past_the_end_of_its_pack_is_a_clear_error()
    {
        var data = BlockStoreContract.RandomBlock();
        await _h.PutAsync(Snapshot, 0, data);
        var real = (await _h.Index.FindAsync(SHA256.HashData(data)))!.Value;
        var phantom = BlockStoreContract.RandomBlock();
        var hash = SHA256.HashData(phantom);
        await _h.Index.CommitAsync([new BlockPlacement(hash, new BlockLocation(real.PackId, real.End + (1 << 20), real.Length))]);
        await _h.Catalog.PutBlockAsync(Snapshot, 1, hash);

        var e = await Assert.ThrowsAsync<BlockDamagedException>(() => _h.ReadAsync(phantom));
        Assert.Contains("the pack ends at byte", e.Message, StringComparison.Ordinal);
        Assert.Equal(data, await _h.ReadAsync(data));
    }

    [Fact]
    public async Task A_missing_pack_is_a_clear_BlockMissingException()
    {
        var data = BlockStoreContract.RandomBlock();
        await _h.PutAsync(Snapshot, 0, data);
        await _h.CloseAsync(Store);
        File.Delete(SinglePack());

        await ReopenAsync();

        var e = await Assert.ThrowsAsync<BlockMissingException>(() => _h.ReadAsync(data));
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Blocks_written_but_never_referenced_before_a_crash_are_reclaimed_on_open()
    {
        var referenced = BlockStoreContract.RandomBlock();
        await _h.PutAsync(Snapshot, 0, referenced);
        var orphan = BlockStoreContract.RandomBlock();
        // The crash came between the block's commit and its reference's.
        await Store.PutAsync(BlockScope.Plain, SHA256.HashData(orphan), orphan, () => Task.CompletedTask);
        Assert.Equal(2, await _h.Index.CountAsync());

        await ReopenAsync();

        Assert.Equal(1, await _h.Index.CountAsync());
        Assert.Null(await _h.Index.FindAsync(SHA256.HashData(orphan)));
        Assert.Equal(referenced, await _h.ReadAsync(referenced));
    }

    [Fact]
    public async Task A_pack_left_behind_by_a_crash_after_compaction_committed_is_removed_on_open_and_nothing_is_lost()
    {
        var live = new List<byte[]>();
        for (var i = 0; i < 16; i++)
        {
            var data = BlockStoreContract.RandomBlock();
            await _h.PutAsync(i % 4 == 0 ? Snapshot : "snap-00000000000000002", i, data);
            if (i % 4 == 0)
            {
                live.Add(data);
            }
        }

        var before = Packs();
        var copies = before.ToDictionary(p => p, File.ReadAllBytes);
        await _h.Catalog.DeleteAsync("snap-00000000000000002").ContinueWith(async t => await Store.ReclaimAsync(t.Result)).Unwrap();
        await Store.CompactAsync();
        var removed = before.Except(Packs()).ToList();
        Assert.NotEmpty(removed);

        // The crash: the index moved the blocks, but the old packs' removal never reached the disk.
        await _h.CloseAsync(Store);
        foreach (var pack in removed)
        {
            await File.WriteAllBytesAsync(pack, copies[pack]);
        }

        await ReopenAsync();

        Assert.DoesNotContain(removed, File.Exists);
        foreach (var data in live)
        {
            Assert.Equal(data, await _h.ReadAsync(data));
        }
    }

    [Fact]
    public async Task Readers_during_compaction_always_get_the_right_bytes()
    {
        var live = new List<byte[]>();
        for (var i = 0; i < 24; i++)
        {
            var data = BlockStoreContract.RandomBlock();
            await _h.PutAsync(i % 3 == 0 ? Snapshot : "snap-00000000000000002", i, data);
            if (i % 3 == 0)
            {
                live.Add(data);
            }
        }

        await _h.Catalog.DeleteAsync("snap-00000000000000002").ContinueWith(async t => await Store.ReclaimAsync(t.Result)).Unwrap();
        using var stop = new CancellationTokenSource();
        var reads = 0;
        var readers = Enumerable.Range(0, 4).Select(r => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var data = live[Random.Shared.Next(live.Count)];
                Assert.Equal(data, await _h.ReadAsync(data));
                Interlocked.Increment(ref reads);
            }
        })).ToList();

        var result = await Store.CompactAsync();
        await stop.CancelAsync();
        await Task.WhenAll(readers);

        Assert.True(result.PacksRewritten > 0, "nothing was rewritten");
        Assert.True(reads > 0);
    }

    [Fact]
    public async Task A_block_folder_of_the_previous_release_is_migrated_into_packs_resumably()
    {
        await _h.CloseAsync(Store);
        var root = _h.Root;
        var blocks = Enumerable.Range(0, 20).Select(i => i % 2 == 0 ? BlockStoreContract.TextBlock(i) : BlockStoreContract.RandomBlock()).ToList();
        for (var i = 0; i < blocks.Count; i++)
        {
            await WriteLegacyAsync(root, blocks[i]);
            await _h.Catalog.PutBlockAsync(Snapshot, i, SHA256.HashData(blocks[i]));
        }

        var damaged = BlockStoreContract.RandomBlock();
        var damagedPath = await WriteLegacyAsync(root, damaged);
        damaged[100] ^= 1;
        await File.WriteAllBytesAsync(damagedPath, damaged);
        Directory.CreateDirectory(Path.Combine(root, "tmp"));
        await File.WriteAllBytesAsync(Path.Combine(root, "tmp", "leftover"), new byte[10]);

        await ReopenAsync();

        foreach (var data in blocks)
        {
            Assert.Equal(data, await _h.ReadAsync(data));
        }

        Assert.Equal(blocks.Count, await _h.Index.CountAsync());
        Assert.Equal([damagedPath], Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Where(f => !f.StartsWith(_h.PacksFolder, StringComparison.Ordinal)));
        Assert.False(Directory.Exists(Path.Combine(root, "tmp")));
        Assert.True(Packs().Sum(p => new FileInfo(p).Length) < blocks.Count * (long)IBlockStore.BlockSize, "text blocks are stored compressed");

        // A crash before a deletion reached the disk: the file is back; the next start only deletes it.
        await _h.CloseAsync(Store);
        var again = await WriteLegacyAsync(root, blocks[3]);
        var packBytes = Packs().Sum(p => new FileInfo(p).Length);
        await ReopenAsync();
        Assert.False(File.Exists(again));
        Assert.Equal(packBytes, Packs().Sum(p => new FileInfo(p).Length));
        Assert.Equal(blocks[3], await _h.ReadAsync(blocks[3]));
    }

    /// <summary>As after a restart (closing again a store a test closed to change its files is harmless).</summary>
    private Task ReopenAsync() => _h.ReopenAsync();

    private List<string> Packs() => [.. Directory.EnumerateFiles(_h.PacksFolder, "*.pack").Order()];

    private string SinglePack() => Assert.Single(Packs());

    private static void Flip(string path, long offset)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = offset;
        var b = file.ReadByte();
        file.Position = offset;
        file.WriteByte((byte)(b ^ 0x40));
    }

    private static async Task<string> WriteLegacyAsync(string root, byte[] data)
    {
        var hex = Convert.ToHexStringLower(SHA256.HashData(data));
        var folder = Path.Combine(root, hex[..2], hex[2..4]);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, hex);
        await File.WriteAllBytesAsync(path, data);
        return path;
    }
}
