using System.Collections.Concurrent;
using System.Security.Cryptography;
using AmiVault.Blocks;
using AmiVault.Client;
using AmiVault.Tests.Ebs;
using AmiVault.Tests.Support;
using AmiVault.Tests.Tasks;
using Microsoft.Extensions.DependencyInjection;

namespace AmiVault.Tests.Blocks;

/// <summary>`amivault serve` killed with SIGKILL while 16 clients write blocks: every acknowledged block is there after a restart.</summary>
public sealed class BlockStoreKillTests
{
    [Fact]
    public async Task A_server_killed_during_concurrent_PutSnapshotBlock_keeps_every_acknowledged_block()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "amivault-kill-" + Guid.NewGuid().ToString("N"));
        try
        {
            var acknowledged = new ConcurrentDictionary<int, byte[]>();
            string snapshotId;
            await using (var server = await ChildServer.StartAsync(dataDir))
            {
                using var ebs = new EbsClient(new EbsClientOptions
                {
                    Endpoint = server.Endpoint,
                    AccessKeyId = TestServer.Alice.AccessKeyId,
                    SecretAccessKey = TestServer.Alice.SecretAccessKey,
                    Region = server.Region,
                    MaxAttempts = 1,
                    AttemptTimeout = TimeSpan.FromSeconds(30),
                });
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
            await using var restarted = await TestServer.StartAsync("us-east-1", o => o.DataDir = dataDir);
            var catalog = restarted.Catalog();
            var store = restarted.Server.Services.GetRequiredService<IBlockStore>();
            var back = new byte[IBlockStore.BlockSize];
            foreach (var (index, data) in acknowledged)
            {
                var block = await catalog.GetBlockAsync(snapshotId, index);
                Assert.True(block is not null, $"block {index} was acknowledged but is not in the snapshot after the restart");
                Assert.Equal(SHA256.HashData(data), block.Hash);
                await store.ReadAsync(block.Hash, back);
                Assert.True(data.AsSpan().SequenceEqual(back), $"block {index} reads back different bytes after the restart");
            }
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }
}
