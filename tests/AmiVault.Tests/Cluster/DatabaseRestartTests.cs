using AmiVault.Tests.Ec2;
using AmiVault.Tests.Support;
using AmiVault.Tests.Tasks;
using Amazon.EC2.Model;

namespace AmiVault.Tests.Cluster;

/// <summary>
/// The cluster's PostgreSQL crashes (pg_ctl stop -m immediate) while two nodes run a store and stays down longer
/// than a lease: the task pauses, then continues once the database is back and finishes exactly once: one task, one
/// whole object, no upload left.
/// </summary>
[Collection(CephCollection.Name)]
[Trait("Category", TestCategories.Ceph)]
[Trait("Category", TestCategories.Process)]
public sealed class DatabaseRestartTests(CephRgwFixture ceph)
{
    private const long ImageSize = 192L << 20;

    [Fact]
    public async Task A_store_running_while_the_database_restarts_continues_and_finishes_once()
    {
        var database = await PostgresServer.StartOwnAsync();
        try
        {
            await using var cluster = await TestCluster.CreateAsync(ceph, database: database);
            var bucket = "cluster-" + Guid.NewGuid().ToString("N")[..12];
            string imageId;
            await using (var prep = await cluster.StartInProcessAsync(cluster.NewDataDir()))
            {
                await ImageFixtures.BucketAsync(prep, bucket);
                var snapshotId = await ImageFixtures.SnapshotAsync(prep, TestServer.Alice, volumeGib: 1, ImageFixtures.GeneratedBlocks(ImageSize, seed: 44));
                using var ec2 = prep.Ec2();
                imageId = await Ec2TestData.RegisterAsync(ec2, "system disk", snapshotId, r => r.VirtualizationType = "hvm");
            }

            try
            {
                var nodes = new[] { await cluster.StartNodeAsync(cluster.NewDataDir(), workers: 2), await cluster.StartNodeAsync(cluster.NewDataDir(), workers: 2) };
                using var ec2 = nodes[0].Ec2();
                await ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = imageId, Bucket = bucket });
                var deadline = DateTime.UtcNow.AddMinutes(2);
                while (Assert.Single(await ImageFixtures.StoreTasksAsync(ec2, new DescribeStoreImageTasksRequest { ImageIds = [imageId] })).ProgressPercentage is null or 0)
                {
                    Assert.True(DateTime.UtcNow < deadline, $"The store did not start.\n{nodes[0].Output}\n{nodes[1].Output}");
                    await Task.Delay(20);
                }

                // Down for longer than a lease: renewals fail, the job stops, and the task is taken up again afterwards.
                await database.RestartAsync(TimeSpan.FromSeconds(TestCluster.LeaseSeconds * 2));

                StoreImageTaskResult? task = null;
                deadline = DateTime.UtcNow.AddMinutes(4);
                while (task?.StoreTaskState is null or "InProgress")
                {
                    Assert.True(DateTime.UtcNow < deadline, $"The store did not finish after the restart.\n{nodes[0].Output}\n{nodes[1].Output}");
                    await Task.Delay(200);
                    try
                    {
                        task = Assert.Single(await ImageFixtures.StoreTasksAsync(ec2, new DescribeStoreImageTasksRequest { ImageIds = [imageId] }));
                    }
                    catch (Amazon.EC2.AmazonEC2Exception)
                    {
                        // The nodes reconnect to the database on their own; until then EC2 answers InternalError.
                    }
                }

                Assert.True(task.StoreTaskState == "Completed", $"{task.StoreTaskState}: {task.StoreTaskFailureReason}\n{nodes[0].Output}\n{nodes[1].Output}");
                Assert.Single(await ImageFixtures.StoreTasksAsync(ec2));
                var logs = nodes[0].Output + "\n" + nodes[1].Output;
                // The job stopped when the database went away, and a node took the task up again once it was back.
                Assert.True(logs.Contains("Failed to connect", StringComparison.Ordinal) && logs.Contains("Taking over Store task", StringComparison.Ordinal),
                    $"The store did not live through the outage:\n{logs}");
                foreach (var node in nodes)
                {
                    await node.KillAsync();
                }

                await cluster.AssertOnlyWholeArchiveAsync(bucket, imageId);
            }
            finally
            {
                await cluster.DeleteBucketAsync(bucket);
            }
        }
        finally
        {
            database.StopOwn();
        }
    }
}
