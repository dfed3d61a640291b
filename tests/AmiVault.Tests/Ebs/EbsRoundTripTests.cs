using System.Security.Cryptography;
using AmiVault.Blocks;
using AmiVault.Catalog;
using AmiVault.Client;
using AmiVault.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static AmiVault.Tests.Ebs.EbsTestData;
using AmiVault.Ebs;

namespace AmiVault.Tests.Ebs;

public sealed class EbsRoundTripTests
{
    [Fact]
    public async Task Blocks_written_and_completed_with_a_LINEAR_checksum_read_back_byte_exact_and_are_stored_once()
    {
        await using var server = await TestServer.StartAsync();
        using var ebs = server.Ebs();
        var a = Random();
        var b = Filled(0x01);
        (int Index, byte[] Data)[] written = [(0, Zeros()), (1, a), (3, b), (5, a)];

        var started = await ebs.StartSnapshotAsync(new StartSnapshotRequest
        {
            VolumeSizeGib = 1,
            Description = "round trip",
            Tags = [new("team", "storage")],
        });
        Assert.Equal("pending", started.Status);
        Assert.Equal(TestServer.Alice.Id, started.OwnerId);
        Assert.Equal(IBlockStore.BlockSize, started.BlockSize);
        Assert.Equal([KeyValuePair.Create("team", "storage")], started.Tags);
        Assert.Matches("^snap-[0-9a-f]{17}$", started.SnapshotId);

        foreach (var (index, data) in written)
        {
            Assert.Equal(Checksum(data), await ebs.PutSnapshotBlockAsync(started.SnapshotId, index, data, progress: 50));
        }

        var pending = await server.Catalog().GetAsync(started.SnapshotId);
        Assert.Equal(("pending", 50), (pending!.Status, pending.Progress));

        Assert.Equal("pending", await ebs.CompleteSnapshotAsync(started.SnapshotId, written.Length, Linear(written)));
        var completed = await server.Catalog().GetAsync(started.SnapshotId);
        Assert.Equal(("completed", 100), (completed!.Status, completed.Progress));
        Assert.NotNull(completed.CompletionTime);

        var listed = await ebs.ListSnapshotBlocksAsync(started.SnapshotId).ToListAsync();
        Assert.Equal([0, 1, 3, 5], listed.Select(l => l.BlockIndex));
        foreach (var block in listed)
        {
            var back = new byte[IBlockStore.BlockSize];
            var checksum = await ebs.GetSnapshotBlockAsync(started.SnapshotId, block.BlockIndex, block.BlockToken, back);
            var expected = written.Single(w => w.Index == block.BlockIndex).Data;
            Assert.Equal(expected, back);
            Assert.Equal(Checksum(expected), checksum);
        }

        Assert.Equal(new[] { Convert.ToHexStringLower(SHA256.HashData(a)), Convert.ToHexStringLower(SHA256.HashData(b)) }.Order(), server.StoredBlocks());
    }

    [Fact]
    public async Task Sixty_four_concurrent_puts_through_one_client_all_land()
    {
        await using var server = await TestServer.StartAsync();
        using var ebs = server.Ebs();
        var snapshot = await ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1 });
        var blocks = Enumerable.Range(0, 192).Select(i => (Index: i * 3, Data: Random())).ToArray();

        using var inFlight = new SemaphoreSlim(64);
        await Task.WhenAll(blocks.Select(async block =>
        {
            await inFlight.WaitAsync();
            try
            {
                await ebs.PutSnapshotBlockAsync(snapshot.SnapshotId, block.Index, block.Data);
            }
            finally
            {
                inFlight.Release();
            }
        }));
        await ebs.CompleteSnapshotAsync(snapshot.SnapshotId, blocks.Length, Linear(blocks));

        Assert.Equal("completed", (await server.Catalog().GetAsync(snapshot.SnapshotId))!.Status);
        Assert.Equal(blocks.Select(b => b.Index), (await ebs.ListSnapshotBlocksAsync(snapshot.SnapshotId).ToListAsync()).Select(l => l.BlockIndex));
        Assert.Equal(blocks.Length, server.StoredBlocks().Length);
    }

    [Fact]
    public async Task An_incremental_snapshot_counts_only_its_own_blocks_and_lists_what_changed()
    {
        await using var server = await TestServer.StartAsync();
        using var ebs = server.Ebs();
        byte[] kept = Random(), old = Random(), changed = Random(), added = Random();
        var parent = await ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1 });
        await ebs.PutSnapshotBlockAsync(parent.SnapshotId, 0, kept);
        await ebs.PutSnapshotBlockAsync(parent.SnapshotId, 1, old);
        await ebs.CompleteSnapshotAsync(parent.SnapshotId, 2);

        var child = await ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 2, ParentSnapshotId = parent.SnapshotId });
        Assert.Equal(parent.SnapshotId, child.ParentSnapshotId);
        await ebs.PutSnapshotBlockAsync(child.SnapshotId, 1, changed);
        await ebs.PutSnapshotBlockAsync(child.SnapshotId, 3000, added);
        await ebs.CompleteSnapshotAsync(child.SnapshotId, 2, Linear([(1, changed), (3000, added)]));

        Assert.Equal("completed", (await server.Catalog().GetAsync(child.SnapshotId))!.Status);
        var all = await ebs.ListSnapshotBlocksAsync(child.SnapshotId).ToListAsync();
        Assert.Equal([0, 1, 3000], all.Select(b => b.BlockIndex));
        var inherited = new byte[IBlockStore.BlockSize];
        await ebs.GetSnapshotBlockAsync(child.SnapshotId, 0, all[0].BlockToken, inherited);
        Assert.Equal(kept, inherited);

        var diff = await ebs.ListChangedBlocksAsync(child.SnapshotId, parent.SnapshotId).ToListAsync();
        Assert.Equal([1, 3000], diff.Select(d => d.BlockIndex));
        Assert.NotNull(diff[0].FirstBlockToken);
        Assert.Null(diff[1].FirstBlockToken);
        var before = new byte[IBlockStore.BlockSize];
        await ebs.GetSnapshotBlockAsync(parent.SnapshotId, 1, diff[0].FirstBlockToken!, before);
        Assert.Equal(old, before);
        var after = new byte[IBlockStore.BlockSize];
        await ebs.GetSnapshotBlockAsync(child.SnapshotId, 1, diff[0].SecondBlockToken!, after);
        Assert.Equal(changed, after);

        var onlySecond = await ebs.ListChangedBlocksAsync(child.SnapshotId).ToListAsync();
        Assert.Equal([0, 1, 3000], onlySecond.Select(d => d.BlockIndex));
        Assert.All(onlySecond, d => Assert.Null(d.FirstBlockToken));
    }

    [Fact]
    public async Task Overwriting_a_block_frees_the_data_no_snapshot_uses_any_more()
    {
        await using var server = await TestServer.StartAsync();
        using var ebs = server.Ebs();
        byte[] first = Random(), second = Random();
        var snapshot = await ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1 });
        await ebs.PutSnapshotBlockAsync(snapshot.SnapshotId, 0, first);
        await ebs.PutSnapshotBlockAsync(snapshot.SnapshotId, 0, second);
        await ebs.CompleteSnapshotAsync(snapshot.SnapshotId, 1, Linear([(0, second)]));

        Assert.Equal([Convert.ToHexStringLower(SHA256.HashData(second))], server.StoredBlocks());
    }

    [Fact]
    public async Task Deleting_a_snapshot_and_reclaiming_frees_its_own_blocks_and_keeps_shared_ones()
    {
        await using var server = await TestServer.StartAsync();
        using var ebs = server.Ebs();
        byte[] shared = Random(), own = Random();
        var doomed = await ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1 });
        await ebs.PutSnapshotBlockAsync(doomed.SnapshotId, 0, shared);
        await ebs.PutSnapshotBlockAsync(doomed.SnapshotId, 1, own);
        await ebs.CompleteSnapshotAsync(doomed.SnapshotId, 2);
        var kept = await ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1 });
        await ebs.PutSnapshotBlockAsync(kept.SnapshotId, 7, shared);
        await ebs.CompleteSnapshotAsync(kept.SnapshotId, 1);

        // What DeleteSnapshot does: drop the catalog rows, then offer the hashes they held for reclamation.
        var released = await server.Catalog().DeleteAsync(doomed.SnapshotId);
        await server.Server.Services.GetRequiredService<IBlockStore>().ReclaimAsync(released);

        Assert.Equal([Convert.ToHexStringLower(SHA256.HashData(shared))], server.StoredBlocks());
        var block = (await ebs.ListSnapshotBlocksAsync(kept.SnapshotId).ToListAsync()).Single();
        var back = new byte[IBlockStore.BlockSize];
        await ebs.GetSnapshotBlockAsync(kept.SnapshotId, 7, block.BlockToken, back);
        Assert.Equal(shared, back);
    }

    [Fact]
    public async Task Listings_page_with_tokens_and_may_answer_short_pages()
    {
        await using var server = await TestServer.StartAsync();
        using var ebs = server.Ebs();
        var first = await ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1 });
        var shared = Random();
        for (var i = 0; i < 250; i++)
        {
            await server.Catalog().PutBlockAsync(first.SnapshotId, i, BlockHashes.Zero.ToArray());
        }

        await ebs.PutSnapshotBlockAsync(first.SnapshotId, 1000, shared);
        await ebs.CompleteSnapshotAsync(first.SnapshotId, 251);

        var page = await ebs.ListSnapshotBlocksPageAsync(first.SnapshotId, startingBlockIndex: 10, maxResults: 100);
        Assert.Equal(Enumerable.Range(10, 100), page.Items.Select(b => b.BlockIndex));
        Assert.NotNull(page.NextToken);
        Assert.Equal(1, page.VolumeSizeGib);
        Assert.InRange(page.ExpiryTime!.Value, DateTimeOffset.UtcNow.AddDays(6), DateTimeOffset.UtcNow.AddDays(8));
        var second = await ebs.ListSnapshotBlocksPageAsync(first.SnapshotId, nextToken: page.NextToken, maxResults: 100);
        Assert.Equal(Enumerable.Range(110, 100), second.Items.Select(b => b.BlockIndex));

        var all = await ebs.ListSnapshotBlocksAsync(first.SnapshotId).ToListAsync();
        Assert.Equal(251, all.Count);
    }

    [Fact]
    public async Task A_retried_StartSnapshot_with_the_same_client_token_returns_the_first_snapshot()
    {
        await using var server = await TestServer.StartAsync();
        using var ebs = server.Ebs();
        var request = new StartSnapshotRequest { VolumeSizeGib = 8, ClientToken = "retry-1", Description = "d", Tags = [new("k", "v")] };

        var first = await ebs.StartSnapshotAsync(request);
        var again = await ebs.StartSnapshotAsync(request);

        Assert.Equal((first.SnapshotId, first.StartTime, first.Description), (again.SnapshotId, again.StartTime, again.Description));
        Assert.Single(await server.Catalog().ListAsync(TestServer.Alice.Id));
    }

    [Fact]
    public async Task Encryption_follows_the_account_default_and_records_the_key()
    {
        await using var server = await TestServer.StartAsync();
        using var ebs = server.Ebs();
        var plain = await ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1 });
        Assert.Equal(("none", null), (plain.SseType, plain.KmsKeyArn));

        const string key = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        var withKey = await ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1, KmsKeyArn = key });
        Assert.Equal(("sse-kms", key), (withKey.SseType, withKey.KmsKeyArn));

        await server.Server.Services.GetRequiredService<IAccountSettings>().SetEncryptionByDefaultAsync(TestServer.Alice.Id, true);
        var byDefault = await ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1 });
        Assert.Equal("arn:aws:kms:us-east-1:111111111111:alias/aws/ebs", byDefault.KmsKeyArn);
        Assert.True((await server.Catalog().GetAsync(byDefault.SnapshotId))!.Encrypted);

        var refused = await Assert.ThrowsAsync<EbsServiceException>(() => ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1, Encrypted = false }));
        Assert.Equal(("ValidationException", "INVALID_PARAMETER_VALUE"), (refused.ErrorType, refused.Reason));
    }
}
