using AmiVault.Archive;
using AmiVault.Tasks;
using AmiVault.Tests.Ec2;
using AmiVault.Tests.Support;
using Amazon.EC2;
using Amazon.EC2.Model;
using AmiVault.ObjectStore;

namespace AmiVault.Tests.Tasks;

/// <summary>
/// `amivault serve` killed with SIGKILL in the middle of a store or a restore, then started again on the same data:
/// the task runs to its end, no partial object is ever visible, no multipart upload is left behind, and a restored
/// image is available only with every block it claims.
/// </summary>
public sealed class CrashRecoveryTests
{
    /// <summary>Big enough that a store or restore is still under way a moment after it shows progress.</summary>
    private const long ImageSize = 192L << 20;

    [Fact]
    public async Task A_store_killed_mid_way_runs_again_after_a_restart_and_leaves_one_whole_object_and_no_upload()
    {
        var dataDir = NewDataDir();
        try
        {
            var (imageId, _) = await PrepareAsync(dataDir, stored: false);
            var key = imageId + ".bin";
            int progressBeforeKill;
            await using (var server = await ChildServer.StartAsync(dataDir))
            {
                using var ec2 = server.Ec2();
                await ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = imageId, Bucket = Bucket });
                progressBeforeKill = (await WaitForStoreProgressAsync(ec2, imageId, server)).ProgressPercentage!.Value;
                await server.KillAsync();
            }

            await using (var restarted = await ChildServer.StartAsync(dataDir))
            {
                using var ec2 = restarted.Ec2();
                StoreImageTaskResult task;
                do
                {
                    task = Assert.Single(await ImageFixtures.StoreTasksAsync(ec2, new DescribeStoreImageTasksRequest { ImageIds = [imageId] }));
                    Assert.True(task.ProgressPercentage >= progressBeforeKill, $"Progress went from {progressBeforeKill}% back to {task.ProgressPercentage}%.");
                    await Task.Delay(50);
                }
                while (task.StoreTaskState == "InProgress");
                Assert.True(task.StoreTaskState == "Completed", $"{task.StoreTaskState}: {task.StoreTaskFailureReason}\n{restarted.Output}");
                Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(dataDir, "tasks", "parts")));
            }

            await using var inspector = await TestServer.StartAsync("us-east-1", o => o.DataDir = dataDir);
            var (objects, uploads) = await ImageFixtures.ContentsAsync(inspector, Bucket);
            Assert.Equal([key], objects);
            Assert.Empty(uploads);
            var buckets = ImageFixtures.Buckets(inspector);
            var info = await buckets.HeadObjectAsync(Bucket, key);
            var verdict = await ArchiveReader.VerifyAsync(new ObjectArchiveSource(buckets, Bucket, key, info.ETag, info.Size));
            Assert.True(verdict.IsIntact, verdict.Message);
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task A_restore_killed_mid_way_finishes_after_a_restart_and_is_available_only_with_all_its_blocks()
    {
        var dataDir = NewDataDir();
        try
        {
            var (imageId, snapshotId) = await PrepareAsync(dataDir, stored: true);
            string restoredId;
            await using (var server = await ChildServer.StartAsync(dataDir))
            {
                using var ec2 = server.Ec2();
                restoredId = (await ec2.CreateRestoreImageTaskAsync(new CreateRestoreImageTaskRequest { Bucket = Bucket, ObjectKey = imageId + ".bin", Name = "restored" })).ImageId;
                await WaitForRestoreProgressAsync(ec2, restoredId, server);
                await server.KillAsync();
            }

            await using (var restarted = await ChildServer.StartAsync(dataDir))
            {
                using var ec2 = restarted.Ec2();
                var image = await ImageFixtures.WaitForImageAsync(ec2, restoredId);
                Assert.True(image.State == ImageState.Available, $"{image.State}: {image.StateReason?.Message}\n{restarted.Output}");
                Assert.Equal("completed", (await RestoredSnapshotAsync(ec2, image)).State.Value);
            }

            await using var inspector = await TestServer.StartAsync("us-east-1", o => o.DataDir = dataDir);
            using var check = inspector.Ec2();
            var restored = (await Ec2TestData.ImageAsync(check, restoredId)).BlockDeviceMappings.Single().Ebs.SnapshotId;
            Assert.Equal(await ImageFixtures.SnapshotDigestsAsync(inspector, snapshotId), await ImageFixtures.SnapshotDigestsAsync(inspector, restored));
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private const string Bucket = "images";

    private static string NewDataDir() => Path.Combine(Path.GetTempPath(), "amivault-crash-" + Guid.NewGuid().ToString("N"));

    /// <summary>A generated system disk registered as an image, a bucket, and (when asked) the image stored in it.</summary>
    private static async Task<(string ImageId, string SnapshotId)> PrepareAsync(string dataDir, bool stored)
    {
        await using var server = await TestServer.StartAsync("us-east-1", o => o.DataDir = dataDir);
        var snapshotId = await ImageFixtures.SnapshotAsync(server, TestServer.Alice, volumeGib: 1, ImageFixtures.GeneratedBlocks(ImageSize, seed: 42));
        using var ec2 = server.Ec2();
        var imageId = await Ec2TestData.RegisterAsync(ec2, "system disk", snapshotId, r => r.VirtualizationType = "hvm");
        await ImageFixtures.BucketAsync(server, Bucket);
        if (stored)
        {
            await ImageFixtures.StoreAsync(server, imageId, Bucket);
        }

        return (imageId, snapshotId);
    }

    /// <summary>Waits until the store shows progress; it must still be in progress then, or there is nothing to interrupt.</summary>
    private static async Task<StoreImageTaskResult> WaitForStoreProgressAsync(AmazonEC2Client ec2, string imageId, ChildServer server)
    {
        while (true)
        {
            var task = Assert.Single(await ImageFixtures.StoreTasksAsync(ec2, new DescribeStoreImageTasksRequest { ImageIds = [imageId] }));
            Assert.True(task.StoreTaskState == "InProgress", $"The store ended ({task.StoreTaskState}) before it could be interrupted.\n{server.Output}");
            if (task.ProgressPercentage > 0)
            {
                return task;
            }

            await Task.Delay(20);
        }
    }

    private static async Task WaitForRestoreProgressAsync(AmazonEC2Client ec2, string imageId, ChildServer server)
    {
        while (true)
        {
            var image = await Ec2TestData.ImageAsync(ec2, imageId);
            Assert.True(image.State == ImageState.Pending, $"The restore ended ({image.State}) before it could be interrupted.\n{server.Output}");
            if ((await RestoredSnapshotAsync(ec2, image)).Progress is not ("0%" or null))
            {
                return;
            }

            await Task.Delay(20);
        }
    }

    private static async Task<Snapshot> RestoredSnapshotAsync(AmazonEC2Client ec2, Image image) =>
        Assert.Single((await ec2.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { SnapshotIds = [image.BlockDeviceMappings.Single().Ebs.SnapshotId] })).Snapshots);
}
