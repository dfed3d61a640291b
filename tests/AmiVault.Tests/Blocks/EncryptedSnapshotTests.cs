using System.Security.Cryptography;
using AmiVault.Blocks;
using AmiVault.Catalog;
using AmiVault.Client;
using AmiVault.Configuration;
using AmiVault.ObjectStore;
using AmiVault.ObjectStore.External;
using AmiVault.Tests.Ec2;
using AmiVault.Tests.Support;
using AmiVault.Tests.Tasks;
using Amazon.EC2.Model;
using Microsoft.Extensions.DependencyInjection;
using static AmiVault.Tests.Ebs.EbsTestData;

namespace AmiVault.Tests.Blocks;

/// <summary>
/// Snapshots marked Encrypted, end to end on each block backend: written with PutSnapshotBlock (the real EBS client),
/// completed with a LINEAR checksum of the plaintext, read back with GetSnapshotBlock, stored into an archive and
/// restored on a second server whose account encrypts by default; every block byte-exact with its plaintext SHA-256 as
/// checksum, and no pack on disk or in S3 holding the plaintext.
/// </summary>
[Collection(CephCollection.Name)]
[Trait("Category", TestCategories.Ceph)]
public sealed class EncryptedSnapshotTests(CephRgwFixture ceph)
{
    [Theory]
    [InlineData(BlockOptions.Local)]
    [InlineData(BlockOptions.S3)]
    public async Task An_encrypted_snapshot_round_trips_through_EBS_and_store_and_restore_and_its_packs_hold_no_plaintext(string backend)
    {
        var buckets = new List<string>();
        try
        {
            await using var source = await TestServer.StartAsync("us-east-1", o => UseBackend(o, backend, buckets));
            await using var target = await TestServer.StartAsync("us-east-1", o => UseBackend(o, backend, buckets));

            var secret = Random();
            var text = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 30_000).Select(i => $"secret line {i}; "))).AsSpan(0, IBlockStore.BlockSize).ToArray();
            (int Index, byte[] Data)[] written = [(0, secret), (1, text), (2, Zeros()), (6, secret)];

            using var ebs = source.Ebs();
            var started = await ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1, Encrypted = true });
            foreach (var (index, data) in written)
            {
                Assert.Equal(Checksum(data), await ebs.PutSnapshotBlockAsync(started.SnapshotId, index, data));
            }

            // The LINEAR checksum is over the plaintext SHA-256s, as the client computes it.
            Assert.Equal("pending", await ebs.CompleteSnapshotAsync(started.SnapshotId, written.Length, Linear(written)));
            Assert.Equal(SnapshotStatus.Completed, (await source.Catalog().GetAsync(started.SnapshotId))!.Status);
            await AssertReadsBackAsync(source, started.SnapshotId, written);
            await AssertNoPlaintextAsync(source, backend, buckets.FirstOrDefault(), secret, text);

            using var ec2 = source.Ec2();
            var imageId = await Ec2TestData.RegisterAsync(ec2, "encrypted-image", started.SnapshotId, r => r.VirtualizationType = "hvm");
            var sourceBuckets = ImageFixtures.Buckets(source, TestServer.Alice);
            await sourceBuckets.CreateBucketAsync("archives");
            await ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = imageId, Bucket = "archives" });
            Assert.Equal("Completed", (await ImageFixtures.WaitForStoreAsync(ec2, imageId)).StoreTaskState);

            await target.Server.Services.GetRequiredService<IAccountSettings>().SetEncryptionByDefaultAsync(TestServer.Alice.Id, true);
            var targetBuckets = ImageFixtures.Buckets(target, TestServer.Alice);
            await targetBuckets.CreateBucketAsync("archives");
            await ImageFixtures.CopyObjectAsync(sourceBuckets, "archives", targetBuckets, "archives", imageId + ".bin");
            using var targetEc2 = target.Ec2();
            var restoredId = (await targetEc2.CreateRestoreImageTaskAsync(new CreateRestoreImageTaskRequest { Bucket = "archives", ObjectKey = imageId + ".bin" })).ImageId;
            var restored = await ImageFixtures.WaitForImageAsync(targetEc2, restoredId);
            Assert.Equal("available", restored.State.Value);

            var restoredSnapshot = restored.BlockDeviceMappings.Single().Ebs.SnapshotId;
            Assert.True((await target.Catalog().GetAsync(restoredSnapshot))!.Encrypted);
            await AssertReadsBackAsync(target, restoredSnapshot, written);
            await AssertNoPlaintextAsync(target, backend, buckets.LastOrDefault(), secret, text);
        }
        finally
        {
            foreach (var bucket in buckets)
            {
                await RemoveBucketAsync(bucket);
            }
        }
    }

    private void UseBackend(AmiVaultOptions options, string backend, List<string> buckets)
    {
        if (backend == BlockOptions.S3)
        {
            var bucket = "amivault-enc-" + Guid.NewGuid().ToString("N")[..12];
            buckets.Add(bucket);
            options.Blocks.Backend = BlockOptions.S3;
            options.Blocks.EndpointUrl = ceph.EndpointUrl;
            options.Blocks.Bucket = bucket;
            options.Blocks.AccessKeyId = ceph.AccessKey;
            options.Blocks.SecretAccessKey = ceph.SecretKey;
        }
    }

    /// <summary>Every written block through ListSnapshotBlocks and GetSnapshotBlock: its bytes and its plaintext SHA-256.</summary>
    private static async Task AssertReadsBackAsync(TestServer server, string snapshotId, (int Index, byte[] Data)[] written)
    {
        using var ebs = server.Ebs();
        var listed = await ebs.ListSnapshotBlocksAsync(snapshotId).ToListAsync();
        Assert.Equal(written.Select(w => w.Index), listed.Select(l => l.BlockIndex));
        foreach (var block in listed)
        {
            var back = new byte[IBlockStore.BlockSize];
            var checksum = await ebs.GetSnapshotBlockAsync(snapshotId, block.BlockIndex, block.BlockToken, back);
            var expected = written.Single(w => w.Index == block.BlockIndex).Data;
            Assert.True(expected.AsSpan().SequenceEqual(back), $"block {block.BlockIndex} of {snapshotId} differs");
            Assert.Equal(Checksum(expected), checksum);
        }
    }

    private async Task AssertNoPlaintextAsync(TestServer server, string backend, string? bucket, params byte[][] blocks)
    {
        var packs = new List<byte[]>();
        if (backend == BlockOptions.S3)
        {
            using var provider = Provider();
            var s3 = provider.ForAccount("test");
            foreach (var pack in (await s3.ListObjectsAsync(bucket!, new ListObjectsQuery())).Objects)
            {
                await using var content = await s3.GetObjectAsync(bucket!, pack.Key, ObjectReadOptions.Whole);
                using var copy = new MemoryStream();
                await content.Body.CopyToAsync(copy);
                packs.Add(copy.ToArray());
            }
        }
        else
        {
            packs.AddRange(Directory.EnumerateFiles(Path.Combine(server.DataDir, "blocks", "packs")).Select(File.ReadAllBytes));
        }

        var medium = packs.SelectMany(p => p).ToArray();
        Assert.True(medium.Length > IBlockStore.BlockSize, "the packs hold the blocks");
        foreach (var block in blocks)
        {
            foreach (var offset in new[] { 0, 100_000, IBlockStore.BlockSize - 64 })
            {
                Assert.True(medium.AsSpan().IndexOf(block.AsSpan(offset, 64)) < 0, $"plaintext at block offset {offset} is in a pack");
            }

            Assert.True(medium.AsSpan().IndexOf(SHA256.HashData(block)) < 0, "a plaintext SHA-256 is in a pack");
        }
    }

    private ExternalObjectStoreProvider Provider() => new(
        new BucketOptions { Backend = "external", EndpointUrl = ceph.EndpointUrl, AccessKeyId = ceph.AccessKey, SecretAccessKey = ceph.SecretKey }, "us-east-1");

    private async Task RemoveBucketAsync(string bucket)
    {
        using var provider = Provider();
        var s3 = provider.ForAccount("test");
        foreach (var o in (await s3.ListObjectsAsync(bucket, new ListObjectsQuery())).Objects)
        {
            await s3.DeleteObjectAsync(bucket, o.Key);
        }

        await s3.DeleteBucketAsync(bucket);
    }
}
