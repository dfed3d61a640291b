using AmiVault.Blocks;
using AmiVault.ObjectStore;
using AmiVault.Tests.Ec2;
using AmiVault.Tests.Support;
using Amazon.EC2.Model;

namespace AmiVault.Tests.Tasks;

/// <summary>Store and restore with the buckets in a real external S3 (Ceph RGW), the server configured with Buckets:Backend=external.</summary>
[Trait("Category", TestCategories.Ceph)]
[Collection(CephCollection.Name)]
public sealed class ExternalBucketTests(CephRgwFixture ceph)
{
    [Fact]
    public async Task An_image_stored_into_Ceph_in_several_parts_restores_byte_identical()
    {
        await using var server = await TestServer.StartAsync("us-east-1", o =>
        {
            o.Buckets.Backend = "external";
            o.Buckets.EndpointUrl = ceph.EndpointUrl;
            o.Buckets.AccessKeyId = ceph.AccessKey;
            o.Buckets.SecretAccessKey = ceph.SecretKey;
        });
        using var ec2 = server.Ec2();
        var bucket = await ImageFixtures.BucketAsync(server, "tasks-" + Guid.NewGuid().ToString("N")[..12]);
        var buckets = ImageFixtures.Buckets(server);
        try
        {
            // 24 MiB of noise does not compress: the archive needs three 8 MiB parts (and a little more).
            var random = new Random(11);
            var blocks = Enumerable.Range(0, 48).ToDictionary(i => (long)i * 3, _ =>
            {
                var block = new byte[IBlockStore.BlockSize];
                random.NextBytes(block);
                return block;
            });
            var imageId = await ImageFixtures.ImageAsync(server, "ceph web", blocks: blocks);
            var key = (await ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest
            {
                ImageId = imageId,
                Bucket = bucket,
                S3ObjectTags = [new S3ObjectTag { Key = "store", Value = "ceph" }],
            })).ObjectKey;
            var task = await ImageFixtures.WaitForStoreAsync(ec2, imageId);
            Assert.True(task.StoreTaskState == "Completed", task.StoreTaskFailureReason);

            var stored = await buckets.HeadObjectAsync(bucket, key);
            Assert.Equal(4, stored.PartsCount);
            Assert.EndsWith("-4\"", stored.ETag, StringComparison.Ordinal);
            Assert.Equal(("ceph web", TestServer.Alice.Id), (stored.Metadata["ami-name"], stored.Metadata["ami-owner-account"]));
            Assert.Equal("ceph", (await buckets.GetObjectTaggingAsync(bucket, key))["store"]);
            Assert.Empty((await buckets.ListMultipartUploadsAsync(bucket, new ListUploadsQuery())).Uploads);

            var restoredId = (await ec2.CreateRestoreImageTaskAsync(new CreateRestoreImageTaskRequest { Bucket = bucket, ObjectKey = key, Name = "ceph web restored" })).ImageId;
            var restored = await ImageFixtures.WaitForImageAsync(ec2, restoredId);
            Assert.Equal("available", restored.State.Value);
            var original = await ImageFixtures.ReadSnapshotAsync(server, (await Ec2TestData.ImageAsync(ec2, imageId)).BlockDeviceMappings.Single().Ebs.SnapshotId);
            var copy = await ImageFixtures.ReadSnapshotAsync(server, restored.BlockDeviceMappings.Single().Ebs.SnapshotId);
            Assert.Equal(original.Keys, copy.Keys);
            Assert.All(original, block => Assert.True(block.Value.AsSpan().SequenceEqual(copy[block.Key]), $"block {block.Key} differs"));
        }
        finally
        {
            foreach (var summary in (await buckets.ListObjectsAsync(bucket, new ListObjectsQuery())).Objects)
            {
                await buckets.DeleteObjectAsync(bucket, summary.Key);
            }

            await buckets.DeleteBucketAsync(bucket);
        }
    }
}
