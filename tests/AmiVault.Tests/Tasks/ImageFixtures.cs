using System.Security.Cryptography;
using AmiVault.Accounts;
using AmiVault.Blocks;
using AmiVault.Catalog;
using AmiVault.ObjectStore;
using AmiVault.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace AmiVault.Tests.Tasks;

/// <summary>
/// Puts snapshots with real block data into a server the way the EBS direct API does (block store + block index),
/// and reads them back, so store and restore can be checked block by block.
/// </summary>
internal static class ImageFixtures
{
    public static async Task<string> SnapshotAsync(TestServer server, Account owner, long volumeGib, IReadOnlyDictionary<long, byte[]> blocks, IReadOnlyList<KeyValuePair<string, string>>? tags = null)
    {
        var services = server.Server.Services;
        var catalog = services.GetRequiredService<ISnapshotCatalog>();
        var store = services.GetRequiredService<IBlockStore>();
        var id = ResourceIds.New(ResourceIds.Snapshot);
        var now = DateTimeOffset.UtcNow;
        await catalog.InsertAsync(new SnapshotRecord { SnapshotId = id, OwnerId = owner.Id, VolumeSizeGib = volumeGib, StartTime = now, Description = "fixture " + id }, tags ?? []);
        foreach (var (index, data) in blocks)
        {
            var hash = SHA256.HashData(data);
            if (BlockHashes.IsZero(data))
            {
                await catalog.PutBlockAsync(id, index, hash);
            }
            else
            {
                await store.PutAsync(hash, data, () => catalog.PutBlockAsync(id, index, hash));
            }
        }

        var snapshot = (await catalog.GetAsync(id))!;
        await catalog.UpdateAsync(snapshot with { Status = "completed", Progress = 100, CompletionTime = now });
        return id;
    }

    /// <summary>Every block a snapshot lists, with its data.</summary>
    public static async Task<SortedDictionary<long, byte[]>> ReadSnapshotAsync(TestServer server, string snapshotId)
    {
        var services = server.Server.Services;
        var catalog = services.GetRequiredService<ISnapshotCatalog>();
        var store = services.GetRequiredService<IBlockStore>();
        var result = new SortedDictionary<long, byte[]>();
        foreach (var block in await catalog.ListBlocksAsync(snapshotId, 0, int.MaxValue))
        {
            var data = new byte[IBlockStore.BlockSize];
            await store.ReadAsync(block.Hash, data);
            result[block.BlockIndex] = data;
        }

        return result;
    }

    /// <summary>A mix like a disk's: text, random, a repeated block and an all-zero block.</summary>
    public static Dictionary<long, byte[]> MixedBlocks(int seed)
    {
        var random = new Random(seed);
        var text = new byte[IBlockStore.BlockSize];
        var words = "the quick brown fox jumps over the lazy dog /usr/lib/x86_64-linux-gnu libc.so.6 "u8.ToArray();
        for (var i = 0; i < text.Length; i++)
        {
            text[i] = words[(i + (i / 997)) % words.Length];
        }

        var noise = new byte[IBlockStore.BlockSize];
        random.NextBytes(noise);
        return new Dictionary<long, byte[]>
        {
            [0] = text,
            [1] = noise,
            [2] = new byte[IBlockStore.BlockSize],
            [7] = text,
            [2047] = noise.Reverse().ToArray(),
        };
    }

    public static IObjectStore Buckets(TestServer server, Account owner) =>
        server.Server.Services.GetRequiredService<IObjectStoreProvider>().ForAccount(owner.Id);

    /// <summary>Carries an object from one server's buckets to another's, as `amivault copy` or `aws s3 cp` would.</summary>
    public static async Task CopyObjectAsync(IObjectStore from, string fromBucket, IObjectStore to, string toBucket, string key)
    {
        await using var content = await from.GetObjectAsync(fromBucket, key, ObjectReadOptions.Whole);
        await to.PutObjectAsync(toBucket, key, content.Body, content.Length, new ObjectWriteOptions { Metadata = content.Info.Metadata });
    }
}
