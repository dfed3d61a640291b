using System.Security.Cryptography;
using AmiVault.Accounts;
using AmiVault.Blocks;
using AmiVault.Catalog;
using AmiVault.Imaging;
using AmiVault.ObjectStore;
using AmiVault.Tests.Ec2;
using AmiVault.Tests.Support;
using Amazon.EC2;
using Amazon.EC2.Model;
using Microsoft.Extensions.DependencyInjection;
using AmiVault.Ebs;

namespace AmiVault.Tests.Tasks;

/// <summary>
/// Puts snapshots with real block data into a server the way the EBS direct API does (block store + block index),
/// and reads them back, so store and restore can be checked block by block.
/// </summary>
internal static class ImageFixtures
{
    public static async Task<string> SnapshotAsync(
        TestServer server, Account owner, long volumeGib, IEnumerable<KeyValuePair<long, byte[]>> blocks, IReadOnlyList<KeyValuePair<string, string>>? tags = null, bool encrypted = false)
    {
        var services = server.Server.Services;
        var catalog = services.GetRequiredService<ISnapshotCatalog>();
        var store = services.GetRequiredService<IBlockStore>();
        var id = ResourceIds.New(ResourceIds.Snapshot);
        var now = DateTimeOffset.UtcNow;
        var record = new SnapshotRecord { SnapshotId = id, OwnerId = owner.Id, VolumeSizeGib = volumeGib, StartTime = now, Description = "fixture " + id, Encrypted = encrypted };
        await catalog.InsertAsync(record, tags ?? []);
        var scope = services.GetRequiredService<BlockKeys>().For(record);
        await Parallel.ForEachAsync(blocks, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (block, _) =>
        {
            var hash = scope.AddressOf(SHA256.HashData(block.Value));
            if (BlockHashes.IsZero(block.Value))
            {
                await catalog.PutBlockAsync(id, block.Key, hash);
            }
            else
            {
                await store.PutAsync(scope, hash, block.Value, () => catalog.PutBlockAsync(id, block.Key, hash));
            }
        });

        var snapshot = (await catalog.GetAsync(id))!;
        await catalog.UpdateAsync(snapshot with { Status = "completed", Progress = 100, CompletionTime = now });
        return id;
    }

    /// <summary>The written blocks of a generated system disk of <paramref name="size"/> bytes (zero blocks left out, as an uploader leaves them).</summary>
    public static IEnumerable<KeyValuePair<long, byte[]>> GeneratedBlocks(long size, ulong seed)
    {
        var image = new DiskImageGenerator(size, seed);
        for (var offset = 0L; offset < size; offset += IBlockStore.BlockSize)
        {
            if (!image.IsZero(offset, IBlockStore.BlockSize))
            {
                var block = new byte[IBlockStore.BlockSize];
                image.Fill(offset, block);
                yield return new(offset / IBlockStore.BlockSize, block);
            }
        }
    }

    /// <summary>Every block a snapshot lists, with its data.</summary>
    public static async Task<SortedDictionary<long, byte[]>> ReadSnapshotAsync(TestServer server, string snapshotId)
    {
        var result = new SortedDictionary<long, byte[]>();
        await ForEachBlockAsync(server, snapshotId, (index, data) => result[index] = data.ToArray());
        return result;
    }

    /// <summary>The SHA-256 of every block a snapshot lists, computed from the data in the block store.</summary>
    public static async Task<SortedDictionary<long, string>> SnapshotDigestsAsync(TestServer server, string snapshotId)
    {
        var result = new SortedDictionary<long, string>();
        await ForEachBlockAsync(server, snapshotId, (index, data) => result[index] = Convert.ToHexString(SHA256.HashData(data)));
        return result;
    }

    private static async Task ForEachBlockAsync(TestServer server, string snapshotId, Action<long, byte[]> onBlock)
    {
        var services = server.Server.Services;
        var store = services.GetRequiredService<IBlockStore>();
        var data = new byte[IBlockStore.BlockSize];
        var scope = services.GetRequiredService<BlockKeys>().For((await services.GetRequiredService<ISnapshotCatalog>().GetAsync(snapshotId))!);
        foreach (var block in await services.GetRequiredService<ISnapshotCatalog>().ListBlocksAsync(snapshotId, 0, int.MaxValue))
        {
            await store.ReadAsync(scope, block.Hash, data);
            onBlock(block.BlockIndex, data);
        }
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

    /// <summary>An HVM image of one snapshot of the owner holding <paramref name="blocks"/> (a mixed few by default).</summary>
    public static async Task<string> ImageAsync(
        TestServer server,
        string name,
        long volumeGib = 1,
        IReadOnlyDictionary<long, byte[]>? blocks = null,
        Account? owner = null,
        Action<RegisterImageRequest>? configure = null)
    {
        owner ??= TestServer.Alice;
        var snapshotId = await SnapshotAsync(server, owner, volumeGib, blocks ?? MixedBlocks(seed: name.Length));
        using var ec2 = server.Ec2(owner);
        return await Ec2TestData.RegisterAsync(ec2, name, snapshotId, r =>
        {
            r.Architecture = ArchitectureValues.X86_64;
            r.VirtualizationType = "hvm";
            configure?.Invoke(r);
        });
    }

    /// <summary><paramref name="count"/> blocks of text-like data that compresses the way a disk's files do.</summary>
    public static Dictionary<long, byte[]> TextBlocks(int count, int seed)
    {
        var random = new Random(seed);
        var words = "the quick brown fox jumps over the lazy dog /usr/lib/x86_64-linux-gnu libc.so.6 "u8.ToArray();
        var result = new Dictionary<long, byte[]>();
        for (var index = 0; index < count; index++)
        {
            var block = new byte[IBlockStore.BlockSize];
            for (var i = 0; i < block.Length; i++)
            {
                block[i] = random.Next(8) == 0 ? (byte)random.Next(32, 127) : words[(i + index) % words.Length];
            }

            result[index] = block;
        }

        return result;
    }

    public static IObjectStore Buckets(TestServer server, Account? owner = null) =>
        server.Server.Services.GetRequiredService<IObjectStoreProvider>().ForAccount((owner ?? TestServer.Alice).Id);

    public static async Task<string> BucketAsync(TestServer server, string bucket, Account? owner = null)
    {
        await Buckets(server, owner).CreateBucketAsync(bucket);
        return bucket;
    }

    /// <summary>The keys of the bucket's objects and of its unfinished multipart uploads: what a task left behind.</summary>
    public static async Task<(List<string> Objects, List<string> Uploads)> ContentsAsync(TestServer server, string bucket, Account? owner = null)
    {
        var store = Buckets(server, owner);
        var objects = await store.ListObjectsAsync(bucket, new ListObjectsQuery());
        var uploads = await store.ListMultipartUploadsAsync(bucket, new ListUploadsQuery());
        return ([.. objects.Objects.Select(o => o.Key)], [.. uploads.Uploads.Select(u => u.Key)]);
    }

    /// <summary>Stores an image into the bucket and waits for the task to complete; returns the object key.</summary>
    public static async Task<string> StoreAsync(TestServer server, string imageId, string bucket, Account? owner = null)
    {
        using var ec2 = server.Ec2(owner);
        var key = (await ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = imageId, Bucket = bucket })).ObjectKey;
        var task = await WaitForStoreAsync(ec2, imageId);
        Assert.True(task.StoreTaskState == "Completed", $"The store of {imageId} ended {task.StoreTaskState}: {task.StoreTaskFailureReason}");
        return key;
    }

    public static async Task<byte[]> ObjectBytesAsync(TestServer server, string bucket, string key, Account? owner = null)
    {
        await using var content = await Buckets(server, owner).GetObjectAsync(bucket, key, ObjectReadOptions.Whole);
        using var copy = new MemoryStream();
        await content.Body.CopyToAsync(copy);
        return copy.ToArray();
    }

    public static async Task PutObjectAsync(TestServer server, string bucket, string key, byte[] data, Account? owner = null)
    {
        using var body = new MemoryStream(data);
        await Buckets(server, owner).PutObjectAsync(bucket, key, body, data.Length, ObjectWriteOptions.Default);
    }

    public static async Task<List<StoreImageTaskResult>> StoreTasksAsync(AmazonEC2Client ec2, DescribeStoreImageTasksRequest? request = null) =>
        (await ec2.DescribeStoreImageTasksAsync(request ?? new DescribeStoreImageTasksRequest())).StoreImageTaskResults ?? [];

    /// <summary>Carries an object from one server's buckets to another's, as `amivault copy` or `aws s3 cp` would.</summary>
    public static async Task CopyObjectAsync(IObjectStore from, string fromBucket, IObjectStore to, string toBucket, string key)
    {
        await using var content = await from.GetObjectAsync(fromBucket, key, ObjectReadOptions.Whole);
        await to.PutObjectAsync(toBucket, key, content.Body, content.Length, new ObjectWriteOptions { Metadata = content.Info.Metadata });
    }

    public static Task<StoreImageTaskResult> WaitForStoreAsync(AmazonEC2Client ec2, string imageId) =>
        PollAsync($"The store of {imageId}", async () =>
        {
            var result = Assert.Single((await ec2.DescribeStoreImageTasksAsync(new DescribeStoreImageTasksRequest { ImageIds = [imageId] })).StoreImageTaskResults);
            return result.StoreTaskState != "InProgress" ? result : null;
        });

    public static Task<Image> WaitForImageAsync(AmazonEC2Client ec2, string imageId) =>
        PollAsync($"The restore of {imageId}", async () =>
        {
            var image = await Ec2TestData.ImageAsync(ec2, imageId);
            return image.State != ImageState.Pending ? image : null;
        });

    /// <summary>Polls until <paramref name="done"/> answers; a loaded machine may take a while, a stuck task fails the test.</summary>
    private static async Task<T> PollAsync<T>(string what, Func<Task<T?>> done)
        where T : class
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(2))
        {
            if (await done() is { } result)
            {
                return result;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"{what} did not finish within 2 minutes.");
    }
}
