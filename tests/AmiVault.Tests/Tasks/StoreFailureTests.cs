using AmiVault.Tests.Support;
using Amazon.EC2.Model;
using Microsoft.Extensions.DependencyInjection;

namespace AmiVault.Tests.Tasks;

/// <summary>Stores that cannot finish: they end Failed with a reason, leaving no object and no unfinished upload.</summary>
public sealed class StoreFailureTests
{
    [Fact]
    public async Task A_snapshot_deleted_during_a_store_fails_it_with_a_reason_and_leaves_no_object_or_upload()
    {
        await using var server = await TestServer.StartAsync("us-east-1", null, GatedBlockStore.Install);
        var gate = server.Server.Services.GetRequiredService<GatedBlockStore>();
        using var ec2 = server.Ec2();
        var bucket = await ImageFixtures.BucketAsync(server, "images");
        var imageId = await ImageFixtures.ImageAsync(server, "web");
        var snapshotId = (await Ec2.Ec2TestData.ImageAsync(ec2, imageId)).BlockDeviceMappings.Single().Ebs.SnapshotId;

        // The store has begun its upload and waits for its first block when the image and its snapshot are deleted.
        var held = gate.CloseAsync();
        await ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = imageId, Bucket = bucket });
        await held;
        var (_, uploads) = await ImageFixtures.ContentsAsync(server, bucket);
        Assert.Equal([imageId + ".bin"], uploads);
        await ec2.DeregisterImageAsync(new DeregisterImageRequest { ImageId = imageId, DeleteAssociatedSnapshots = true });
        gate.Open();

        var task = await ImageFixtures.WaitForStoreAsync(ec2, imageId);
        Assert.Equal("Failed", task.StoreTaskState);
        Assert.Equal($"Snapshot {snapshotId} of image {imageId} was deleted or became inaccessible during the task.", task.StoreTaskFailureReason);
        Assert.InRange(task.ProgressPercentage ?? -1, 0, 99);
        var (objects, left) = await ImageFixtures.ContentsAsync(server, bucket);
        Assert.Empty(objects);
        Assert.Empty(left);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(server.DataDir, "tasks", "parts")));
    }

    [Fact]
    public async Task A_bucket_deleted_during_a_store_fails_it_with_a_reason()
    {
        await using var server = await TestServer.StartAsync("us-east-1", null, GatedBlockStore.Install);
        var gate = server.Server.Services.GetRequiredService<GatedBlockStore>();
        using var ec2 = server.Ec2();
        var bucket = await ImageFixtures.BucketAsync(server, "images");
        var imageId = await ImageFixtures.ImageAsync(server, "web");

        var held = gate.CloseAsync();
        await ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = imageId, Bucket = bucket });
        await held;
        await ImageFixtures.Buckets(server).DeleteBucketAsync(bucket);
        gate.Open();

        var task = await ImageFixtures.WaitForStoreAsync(ec2, imageId);
        Assert.Equal("Failed", task.StoreTaskState);
        Assert.Equal("The bucket images was deleted during the task.", task.StoreTaskFailureReason);
    }
}
