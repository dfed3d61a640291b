using System.Collections.Concurrent;
using System.Security.Cryptography;
using AmiVault.Blocks;
using AmiVault.Client;
using AmiVault.Resilience;
using AmiVault.Tests.Ebs;
using AmiVault.Tests.Support;
using AmiVault.Tests.Tasks;
using Amazon.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace AmiVault.Tests.Blocks;

/// <summary>
/// `amivault serve` killed with SIGKILL while 16 clients write blocks, or while it compacts after a deletion: every
/// acknowledged block of every snapshot left is there after a restart, byte-exact.
/// </summary>
[Trait("Category", TestCategories.Process)]
public sealed class BlockStoreKillTests
{
    [Fact]
    public async Task A_server_killed_while_compacting_after_a_deletion_keeps_every_block_of_the_snapshots_left()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "amivault-kill-" + Guid.NewGuid().ToString("N"));
        var smallPacks = new Dictionary<string, string> { ["AMIVAULT_BLOCKS__PACKSIZEMIB"] = "2" };
        try
        {
            var kept = new Dictionary<int, byte[]>();
            string keptId;
            await using (var server = await ChildServer.StartAsync(dataDir, environment: smallPacks))
            {
                using var ebs = Ebs(server);
                keptId = (await ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1 })).SnapshotId;
                var doomedId = (await ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1 })).SnapshotId;
                // Interleaved, so that every pack holds a little of the kept snapshot and mostly what is deleted.
                for (var index = 0; index < 40; index++)
                {
                    var data = EbsTestData.Random();
                    await ebs.PutSnapshotBlockAsync(index % 4 == 0 ? keptId : doomedId, index, data);
                    if (index % 4 == 0)
                    {
                        kept[index] = data;
                    }
                }

                await ebs.CompleteSnapshotAsync(keptId, kept.Count);
                await ebs.CompleteSnapshotAsync(doomedId, 40 - kept.Count);
                using var ec2 = server.Ec2();
                await ec2.DeleteSnapshotAsync(new Amazon.EC2.Model.DeleteSnapshotRequest { SnapshotId = doomedId });
                // Compaction starts as soon as the deletion reclaimed blocks: kill somewhere in it.
                await Task.Delay(Random.Shared.Next(0, 400));
                await server.KillAsync();
            }

            await using var restarted = await TestServer.StartAsync("us-east-1", o =>
            {
                o.DataDir = dataDir;
                o.Blocks.PackSizeMiB = 2;
            });
            var store = restarted.Server.Services.GetRequiredService<PackBlockStore>();
            await store.CompactAsync();
            await AssertKeptAsync(restarted, keptId, kept);
            Assert.True(restarted.StoredPackBytes() < 20L * IBlockStore.BlockSize, $"{restarted.StoredPackBytes()} bytes of packs for 10 live blocks after compaction");
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public Task A_server_killed_during_concurrent_PutSnapshotBlock_keeps_every_acknowledged_block() =>
        KillDuringConcurrentPutsAsync(new Dictionary<string, string>(), _ => { }, _ => { });

    /// <summary>
    /// 16 clients write blocks to a child server started with <paramref name="environment"/>, which is killed once
    /// 200 are acknowledged; <paramref name="afterKill"/> may then change the data folder before a server configured
    /// by <paramref name="configure"/> is started on it and checks every acknowledged block.
    /// </summary>
    internal static async Task KillDuringConcurrentPutsAsync(IReadOnlyDictionary<string, string> environment, Action<AmiVault.Configuration.AmiVaultOptions> configure, Action<string> afterKill)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "amivault-kill-" + Guid.NewGuid().ToString("N"));
        try
        {
            var acknowledged = new ConcurrentDictionary<int, byte[]>();
            string snapshotId;
            await using (var server = await ChildServer.StartAsync(dataDir, environment: environment))
            {
                using var ebs = Ebs(server);
                snapshotId = (await ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1 })).SnapshotId;
                var next = -1;
                var writers = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
                {
                    for (var index = Interlocked.Increment(ref next); index < 2048; index = Interlocked.Increment(ref next))
                    {
                        // Half the blocks compress, half do not; a few repeat (dedupe under the kill too).
                        var data = index % 2 == 0 ? EbsTestData.Filled((byte)(index % 7 + 1)) : EbsTestData.Random();
                        try
                        {
                            await ebs.PutSnapshotBlockAsync(snapshotId, index, data);
                        }
                        catch (Exception e) when (e is HttpRequestException or TimeoutException or TaskCanceledException or EbsServiceException)
                        {
                            return; // the server is gone: this write was never acknowledged
                        }

                        acknowledged[index] = data;
                    }
                })).ToList();

                var deadline = DateTime.UtcNow.AddSeconds(120);
                while (acknowledged.Count < 200 && DateTime.UtcNow < deadline && !writers.All(w => w.IsCompleted))
                {
                    await Task.Delay(5);
                }

                await server.KillAsync();
                await Task.WhenAll(writers);
            }

            Assert.True(acknowledged.Count >= 200, $"only {acknowledged.Count} blocks were acknowledged before the kill");
            afterKill(dataDir);
            await using var restarted = await TestServer.StartAsync("us-east-1", o =>
            {
                o.DataDir = dataDir;
                configure(o);
            });
            await AssertKeptAsync(restarted, snapshotId, acknowledged);
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static EbsClient Ebs(ChildServer server) => new(new EbsClientOptions
    {
        Endpoint = server.Endpoint,
        Credentials = new BasicAWSCredentials(TestServer.Alice.AccessKeyId, TestServer.Alice.SecretAccessKey),
        Region = server.Region,
        Retry = new RetryOptions { MaxAttempts = 1, AttemptTimeoutSeconds = 30 },
    });

    /// <summary>Every block in <paramref name="expected"/> is in the snapshot and reads back byte-exact.</summary>
    private static async Task AssertKeptAsync(TestServer server, string snapshotId, IEnumerable<KeyValuePair<int, byte[]>> expected)
    {
        var catalog = server.Catalog();
        var store = server.Server.Services.GetRequiredService<IBlockStore>();
        var back = new byte[IBlockStore.BlockSize];
        foreach (var (index, data) in expected)
        {
            var block = await catalog.GetBlockAsync(snapshotId, index);
            Assert.True(block is not null, $"block {index} was acknowledged but is not in the snapshot after the restart");
            Assert.Equal(SHA256.HashData(data), block.Hash);
            await store.ReadAsync(BlockScope.Plain, block.Hash, back);
            Assert.True(data.AsSpan().SequenceEqual(back), $"block {index} reads back different bytes after the restart");
        }
    }
}
