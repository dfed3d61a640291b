using System.Security.Cryptography;
using AmiVault.Archive;
using AmiVault.Client;
using AmiVault.ObjectStore;
using AmiVault.Tests.Ec2;
using AmiVault.Tests.Support;
using AmiVault.Tests.Tasks;
using Amazon.EC2;
using Amazon.EC2.Model;

namespace AmiVault.Tests.Cluster;

/// <summary>
/// Several `amivault serve` processes on one PostgreSQL and one Ceph RGW (<see cref="TestCluster"/>): any node
/// answers any request, admission holds cluster-wide, and a task whose node is killed with SIGKILL is taken over
/// once its lease runs out and finishes: one whole object and no upload left, or a restored image available only
/// with every block. Tasks are admitted on a node without workers, so the node that runs them takes them over
/// after their grace (one lease), as it would from an admitting node that died before claiming.
/// </summary>
[Collection(CephCollection.Name)]
public sealed class ClusterTests(CephRgwFixture ceph)
{
    private const long ImageSize = 192L << 20;

    [Fact]
    public async Task Store_requests_spread_over_three_nodes_admit_one_store_per_image_and_bucket_and_exactly_the_quota()
    {
        await using var cluster = await TestCluster.CreateAsync(ceph, storeQuotaGb: 5);
        var bucket = "cluster-" + Guid.NewGuid().ToString("N")[..12];
        var images = new List<string>();
        await using (var prep = await cluster.StartInProcessAsync(cluster.NewDataDir()))
        {
            await ImageFixtures.BucketAsync(prep, bucket);
            for (var i = 0; i < 21; i++)
            {
                images.Add(await ImageFixtures.ImageAsync(prep, $"quota {i}"));
            }
        }

        // No node runs tasks: what is admitted stays in progress, so admission alone is counted.
        var nodes = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => cluster.StartNodeAsync(cluster.NewDataDir(), workers: 0)));
        var clients = nodes.Select(n => n.Ec2()).ToArray();
        try
        {
            var same = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => TryStoreAsync(clients[i % 3], images[0], bucket)));
            Assert.Equal(1, same.Count(code => code is null));
            Assert.All(same.Where(code => code is not null), code => Assert.Equal("InvalidParameterValue", code));

            // 1 GiB each against 5 GiB, one already in progress: 4 of 20 are admitted, whichever nodes they reach.
            var spread = await Task.WhenAll(Enumerable.Range(1, 20).Select(i => TryStoreAsync(clients[i % 3], images[i], bucket)));
            Assert.Equal(4, spread.Count(code => code is null));
            Assert.All(spread.Where(code => code is not null), code => Assert.Equal("ResourceLimitExceeded", code));

            // Every node sees the same five tasks.
            foreach (var client in clients)
            {
                var tasks = await ImageFixtures.StoreTasksAsync(client);
                Assert.Equal(5, tasks.Count(t => t.StoreTaskState == "InProgress"));
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }

            foreach (var node in nodes)
            {
                await node.KillAsync();
            }

            await cluster.DeleteBucketAsync(bucket);
        }
    }

    [Fact]
    public async Task Any_node_answers_describes_page_tokens_and_an_EBS_snapshot_started_completed_and_read_on_different_nodes()
    {
        await using var cluster = await TestCluster.CreateAsync(ceph);
        var imageIds = new List<string>();
        await using (var prep = await cluster.StartInProcessAsync(cluster.NewDataDir()))
        {
            for (var i = 0; i < 7; i++)
            {
                imageIds.Add(await ImageFixtures.ImageAsync(prep, $"any {i}"));
            }
        }

        var nodes = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => cluster.StartNodeAsync(cluster.NewDataDir(), workers: 1)));
        var clients = nodes.Select(n => n.Ec2()).ToArray();
        try
        {
            foreach (var client in clients)
            {
                var described = (await client.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["self"] })).Images.Select(i => i.ImageId).Order();
                Assert.Equal(imageIds.Order(), described);
            }

            // A page token one node signed is taken by the next node, and that one's by the third.
            var seen = new List<string>();
            string? token = null;
            var asked = 0;
            do
            {
                var page = await clients[asked++ % 3].DescribeImagesAsync(new DescribeImagesRequest { Owners = ["self"], MaxResults = 5, NextToken = token });
                seen.AddRange(page.Images.Select(i => i.ImageId));
                token = page.NextToken;
            }
            while (token is not null);
            Assert.Equal(imageIds.Order(), seen.Order());
            Assert.True(asked >= 2, "The listing did not span two pages.");

            // EBS: started on node 0, a block put on node 1, completed on node 2; node 0's block token reads the
            // block back byte-exact on node 2, which never saw it (blocks are pack objects on S3).
            var block = RandomNumberGenerator.GetBytes(512 * 1024);
            using var ebs0 = EbsClients.At(nodes[0].Endpoint, nodes[0].Region);
            using var ebs1 = EbsClients.At(nodes[1].Endpoint, nodes[1].Region);
            using var ebs2 = EbsClients.At(nodes[2].Endpoint, nodes[2].Region);
            var snapshot = await ebs0.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1 });
            await ebs1.PutSnapshotBlockAsync(snapshot.SnapshotId, 3, block);
            var linear = Convert.ToBase64String(SHA256.HashData(SHA256.HashData(block)));
            Assert.Equal("pending", await ebs2.CompleteSnapshotAsync(snapshot.SnapshotId, 1, linear));
            var listed = await ebs0.ListSnapshotBlocksPageAsync(snapshot.SnapshotId);
            var only = Assert.Single(listed.Items);
            Assert.Equal(3, only.BlockIndex);
            var read = new byte[block.Length];
            await ebs2.GetSnapshotBlockAsync(snapshot.SnapshotId, 3, only.BlockToken, read);
            Assert.Equal(block, read);
            var described2 = Assert.Single((await clients[2].DescribeSnapshotsAsync(new DescribeSnapshotsRequest { SnapshotIds = [snapshot.SnapshotId] })).Snapshots);
            Assert.Equal("completed", described2.State.Value);
            Assert.DoesNotContain("Snapshot blocks are local", nodes[0].Output, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_store_whose_node_is_killed_mid_way_is_taken_over_by_a_node_on_another_disk_and_leaves_one_whole_object_and_no_upload()
    {
        await using var cluster = await TestCluster.CreateAsync(ceph);
        var bucket = "cluster-" + Guid.NewGuid().ToString("N")[..12];
        string imageId;
        await using (var prep = await cluster.StartInProcessAsync(cluster.NewDataDir()))
        {
            await ImageFixtures.BucketAsync(prep, bucket);
            var snapshotId = await ImageFixtures.SnapshotAsync(prep, TestServer.Alice, volumeGib: 1, ImageFixtures.GeneratedBlocks(ImageSize, seed: 42));
            using var ec2 = prep.Ec2();
            imageId = await Ec2TestData.RegisterAsync(ec2, "system disk", snapshotId, r => r.VirtualizationType = "hvm");
        }

        try
        {
            var front = await cluster.StartNodeAsync(cluster.NewDataDir(), workers: 0);
            using var ec2 = front.Ec2();
            var first = await cluster.StartNodeAsync(cluster.NewDataDir(), workers: 2);
            await ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = imageId, Bucket = bucket });
            var progressBeforeKill = await WaitForStoreProgressAsync(ec2, imageId, first);
            await first.KillAsync();

            // A node on a data folder of its own: the dead node's lease still holds the task until it runs out.
            var second = await cluster.StartNodeAsync(cluster.NewDataDir(), workers: 2);
            StoreImageTaskResult task;
            do
            {
                task = Assert.Single(await ImageFixtures.StoreTasksAsync(ec2, new DescribeStoreImageTasksRequest { ImageIds = [imageId] }));
                Assert.True(task.ProgressPercentage >= progressBeforeKill, $"Progress went from {progressBeforeKill}% back to {task.ProgressPercentage}%.");
                await Task.Delay(100);
            }
            while (task.StoreTaskState == "InProgress");
            Assert.True(task.StoreTaskState == "Completed", $"{task.StoreTaskState}: {task.StoreTaskFailureReason}\n{second.Output}");
            await AssertFinishedHereAsync(second, "store");
            await second.KillAsync();
            await front.KillAsync();

            await using var inspector = await cluster.StartInProcessAsync(cluster.NewDataDir());
            var (objects, uploads) = await ImageFixtures.ContentsAsync(inspector, bucket);
            Assert.Equal([imageId + ".bin"], objects);
            Assert.Empty(uploads);
            var buckets = ImageFixtures.Buckets(inspector);
            var info = await buckets.HeadObjectAsync(bucket, imageId + ".bin");
            var verdict = await ArchiveReader.VerifyAsync(new ObjectArchiveSource(buckets, bucket, imageId + ".bin", info.ETag, info.Size));
            Assert.True(verdict.IsIntact, verdict.Message);
        }
        finally
        {
            await cluster.DeleteBucketAsync(bucket);
        }
    }

    [Fact]
    public async Task A_restore_whose_node_is_killed_mid_way_is_taken_over_by_a_node_on_another_disk_and_is_available_with_every_block_byte_exact()
    {
        await using var cluster = await TestCluster.CreateAsync(ceph);
        var bucket = "cluster-" + Guid.NewGuid().ToString("N")[..12];
        string imageId;
        await using (var prep = await cluster.StartInProcessAsync(cluster.NewDataDir()))
        {
            await ImageFixtures.BucketAsync(prep, bucket);
            var snapshotId = await ImageFixtures.SnapshotAsync(prep, TestServer.Alice, volumeGib: 1, ImageFixtures.GeneratedBlocks(ImageSize, seed: 43));
            using var ec2 = prep.Ec2();
            imageId = await Ec2TestData.RegisterAsync(ec2, "system disk", snapshotId, r => r.VirtualizationType = "hvm");
            await ImageFixtures.StoreAsync(prep, imageId, bucket);
        }

        try
        {
            var front = await cluster.StartNodeAsync(cluster.NewDataDir(), workers: 0);
            using var ec2 = front.Ec2();
            var first = await cluster.StartNodeAsync(cluster.NewDataDir(), workers: 2);
            var restoredId = (await ec2.CreateRestoreImageTaskAsync(new CreateRestoreImageTaskRequest { Bucket = bucket, ObjectKey = imageId + ".bin", Name = "restored" })).ImageId;
            await WaitForRestoreProgressAsync(ec2, restoredId, first);
            await first.KillAsync();

            var second = await cluster.StartNodeAsync(cluster.NewDataDir(), workers: 2);
            var image = await ImageFixtures.WaitForImageAsync(ec2, restoredId);
            Assert.True(image.State == ImageState.Available, $"{image.State}: {image.StateReason?.Message}\n{second.Output}");
            await AssertFinishedHereAsync(second, "restore");
            await second.KillAsync();
            await front.KillAsync();

            // Read from S3 by a server on yet another (empty) folder: every block of the generated disk, byte-exact.
            await using var inspector = await cluster.StartInProcessAsync(cluster.NewDataDir());
            using var check = inspector.Ec2();
            var restored = (await Ec2TestData.ImageAsync(check, restoredId)).BlockDeviceMappings.Single().Ebs.SnapshotId;
            var expected = new SortedDictionary<long, string>(ImageFixtures.GeneratedBlocks(ImageSize, seed: 43)
                .ToDictionary(b => b.Key, b => Convert.ToHexString(SHA256.HashData(b.Value))));
            Assert.Equal(expected, await ImageFixtures.SnapshotDigestsAsync(inspector, restored));
        }
        finally
        {
            await cluster.DeleteBucketAsync(bucket);
        }
    }

    /// <summary>The node itself ran the task to its end (its /metrics): the one that took it over, not a leftover of the killed one.</summary>
    private static async Task AssertFinishedHereAsync(ChildServer node, string kind)
    {
        using var http = new HttpClient { BaseAddress = node.Endpoint };
        var metrics = await http.GetStringAsync("/metrics");
        Assert.True(metrics.Contains($"amivault_tasks_finished_total{{kind=\"{kind}\",state=\"Completed\"}} 1\n", StringComparison.Ordinal), $"{metrics}\n{node.Output}");
    }

    /// <summary>The error code of a store request, or null when it was admitted.</summary>
    private static async Task<string?> TryStoreAsync(AmazonEC2Client ec2, string imageId, string bucket)
    {
        try
        {
            await ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = imageId, Bucket = bucket });
            return null;
        }
        catch (AmazonEC2Exception e)
        {
            return e.ErrorCode;
        }
    }

    /// <summary>Waits (through the grace of one lease) until the worker node shows progress; the task must still be running then.</summary>
    private static async Task<int> WaitForStoreProgressAsync(AmazonEC2Client ec2, string imageId, ChildServer worker)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            var task = Assert.Single(await ImageFixtures.StoreTasksAsync(ec2, new DescribeStoreImageTasksRequest { ImageIds = [imageId] }));
            Assert.True(task.StoreTaskState == "InProgress", $"The store ended ({task.StoreTaskState}: {task.StoreTaskFailureReason}) before it could be interrupted.\n{worker.Output}");
            if (task.ProgressPercentage > 0)
            {
                return task.ProgressPercentage!.Value;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"No node took the store over within 2 minutes.\n{worker.Output}");
    }

    private static async Task WaitForRestoreProgressAsync(AmazonEC2Client ec2, string imageId, ChildServer worker)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            var image = await Ec2TestData.ImageAsync(ec2, imageId);
            Assert.True(image.State == ImageState.Pending, $"The restore ended ({image.State}: {image.StateReason?.Message}) before it could be interrupted.\n{worker.Output}");
            var snapshot = Assert.Single((await ec2.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { SnapshotIds = [image.BlockDeviceMappings.Single().Ebs.SnapshotId] })).Snapshots);
            if (snapshot.Progress is not ("0%" or null))
            {
                return;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"No node took the restore over within 2 minutes.\n{worker.Output}");
    }
}
