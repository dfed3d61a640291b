using AmiVault.Tests.Ec2;
using AmiVault.Tests.Support;
using Amazon.EC2;
using Amazon.EC2.Model;

namespace AmiVault.Tests.Tasks;

public sealed class StoreRestoreTests
{
    [Fact]
    public async Task An_image_stored_in_one_partition_restores_byte_identical_in_another()
    {
        await using var source = await TestServer.StartAsync("us-east-2");
        await using var target = await TestServer.StartAsync("us-gov-east-1");
        var blocks = ImageFixtures.MixedBlocks(seed: 1);
        var snapshotId = await ImageFixtures.SnapshotAsync(source, TestServer.Alice, volumeGib: 1, blocks, [new("role", "root")]);
        using var ec2 = source.Ec2();
        var imageId = await Ec2TestData.RegisterAsync(ec2, "web-server (v1)", snapshotId, r =>
        {
            r.Description = "Web server image";
            r.VirtualizationType = "hvm";
            r.BootMode = BootModeValues.Uefi;
            r.EnaSupport = true;
            r.TpmSupport = TpmSupportValues.V20;
            r.ImdsSupport = ImdsSupportValues.V20;
            r.TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Image, Tags = [new Tag("team", "platform")] }];
        });
        await ImageFixtures.Buckets(source, TestServer.Alice).CreateBucketAsync("images-east");

        var created = await ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest
        {
            ImageId = imageId,
            Bucket = "images-east",
            S3ObjectTags = [new S3ObjectTag { Key = "purpose", Value = "archive" }],
        });
        Assert.Equal(imageId + ".bin", created.ObjectKey);
        var task = await ImageFixtures.WaitForStoreAsync(ec2, imageId);
        Assert.Equal("Completed", task.StoreTaskState);
        Assert.Equal(100, task.ProgressPercentage);
        Assert.Equal("images-east", task.Bucket);
        Assert.Equal(imageId + ".bin", task.S3objectKey);

        var sourceBuckets = ImageFixtures.Buckets(source, TestServer.Alice);
        var stored = await sourceBuckets.HeadObjectAsync("images-east", imageId + ".bin");
        Assert.Equal("web-server (v1)", stored.Metadata["ami-name"]);
        Assert.Equal(TestServer.Alice.Id, stored.Metadata["ami-owner-account"]);
        Assert.Equal("archive", (await sourceBuckets.GetObjectTaggingAsync("images-east", imageId + ".bin"))["purpose"]);

        var targetBuckets = ImageFixtures.Buckets(target, TestServer.Alice);
        await targetBuckets.CreateBucketAsync("images-gov");
        await ImageFixtures.CopyObjectAsync(sourceBuckets, "images-east", targetBuckets, "images-gov", imageId + ".bin");

        using var gov = target.Ec2();
        var restoredId = (await gov.CreateRestoreImageTaskAsync(new CreateRestoreImageTaskRequest
        {
            Bucket = "images-gov",
            ObjectKey = imageId + ".bin",
            TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Snapshot, Tags = [new Tag("restored", "yes")] }],
        })).ImageId;
        Assert.NotEqual(imageId, restoredId);
        var restored = await ImageFixtures.WaitForImageAsync(gov, restoredId);
        Assert.Equal("available", restored.State.Value);
        Assert.Equal("web-server (v1)", restored.Name);
        Assert.Equal("Web server image", restored.Description);
        Assert.Equal(imageId, restored.SourceImageId);
        Assert.Equal("us-east-2", restored.SourceImageRegion);
        Assert.Equal("uefi", restored.BootMode.Value);
        Assert.Contains(restored.Tags, t => t.Key == "team" && t.Value == "platform");

        var restoredSnapshotId = restored.BlockDeviceMappings.Single().Ebs.SnapshotId;
        var snapshot = Assert.Single((await gov.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { SnapshotIds = [restoredSnapshotId] })).Snapshots);
        Assert.Equal("completed", snapshot.State.Value);
        Assert.Contains(snapshot.Tags, t => t.Key == "role" && t.Value == "root");
        Assert.Contains(snapshot.Tags, t => t.Key == "restored" && t.Value == "yes");

        var original = await ImageFixtures.ReadSnapshotAsync(source, snapshotId);
        var copy = await ImageFixtures.ReadSnapshotAsync(target, restoredSnapshotId);
        Assert.Equal(original.Keys, copy.Keys);
        foreach (var (index, data) in original)
        {
            Assert.True(data.AsSpan().SequenceEqual(copy[index]), $"block {index} differs");
        }
    }
}
