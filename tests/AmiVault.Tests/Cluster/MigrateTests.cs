using System.Diagnostics;
using System.Security.Cryptography;
using AmiVault.Tests.Ec2;
using AmiVault.Tests.Support;
using AmiVault.Tests.Tasks;
using Amazon.EC2.Model;

namespace AmiVault.Tests.Cluster;

/// <summary>
/// `amivault migrate` (a child process, as an operator runs it, with the cluster's AMIVAULT_* settings) moves a
/// single server's data folder into a cluster on PostgreSQL and Ceph RGW: refused while the server runs, killed with
/// SIGKILL half-way and run again, verified; then a cluster node on another disk serves the images, their tags and
/// every block byte-exact, and the folder still serves as it did.
/// </summary>
[Collection(CephCollection.Name)]
[Trait("Category", TestCategories.Ceph)]
[Trait("Category", TestCategories.Process)]
public sealed class MigrateTests(CephRgwFixture ceph)
{
    private const long ImageSize = 64L << 20;

    [Fact]
    public async Task A_single_server_folder_moves_into_a_cluster_resumably_verified_and_served_byte_exact()
    {
        await using var cluster = await TestCluster.CreateAsync(ceph);
        var single = cluster.NewDataDir();
        var images = new Dictionary<string, (string SnapshotId, ulong Seed)>();
        await using (var server = await TestServer.StartAsync("us-east-1", o => o.DataDir = single))
        {
            using var ec2 = server.Ec2();
            foreach (var seed in (ulong[])[7, 8])
            {
                var snapshotId = await ImageFixtures.SnapshotAsync(server, TestServer.Alice, volumeGib: 1, ImageFixtures.GeneratedBlocks(ImageSize, seed));
                var imageId = await Ec2TestData.RegisterAsync(ec2, $"disk {seed}", snapshotId, r => r.VirtualizationType = "hvm");
                await ec2.CreateTagsAsync(new CreateTagsRequest { Resources = [imageId], Tags = [new Tag("team", $"t{seed}")] });
                images[imageId] = (snapshotId, seed);
            }
        }

        // Refused while a server holds the folder.
        var live = await ChildServer.StartAsync(single);
        var refused = await MigrateAsync(cluster, single);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("in use by another AmiVault server", refused.Output, StringComparison.Ordinal);
        await live.KillAsync();

        // Killed once the catalog is in and the blocks are moving, then run again: it goes on and verifies.
        var killed = await MigrateAsync(cluster, single, killAfter: "blocks: moving");
        Assert.True(killed.ExitCode != 0, killed.Output);
        var resumed = await MigrateAsync(cluster, single);
        Assert.True(resumed.ExitCode == 0, resumed.Output);
        Assert.Contains("verified: every table's rows and digest match", resumed.Output, StringComparison.Ordinal);
        var again = await MigrateAsync(cluster, single);
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Contains(" 0 moved now", again.Output, StringComparison.Ordinal);

        // A cluster node on a disk of its own serves what the folder held.
        var node = await cluster.StartNodeAsync(cluster.NewDataDir(), workers: 1);
        using (var ec2 = node.Ec2())
        {
            var described = (await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["self"] })).Images;
            Assert.Equal(images.Keys.Order(), described.Select(i => i.ImageId).Order());
            Assert.All(described, i => Assert.Equal($"t{images[i.ImageId].Seed}", Assert.Single(i.Tags, t => t.Key == "team").Value));
        }

        await node.KillAsync();
        await using (var inspector = await cluster.StartInProcessAsync(cluster.NewDataDir()))
        {
            foreach (var (snapshotId, seed) in images.Values)
            {
                var expected = new SortedDictionary<long, string>(ImageFixtures.GeneratedBlocks(ImageSize, seed)
                    .ToDictionary(b => b.Key, b => Convert.ToHexString(SHA256.HashData(b.Value))));
                Assert.Equal(expected, await ImageFixtures.SnapshotDigestsAsync(inspector, snapshotId));
            }
        }

        // The folder is left as it was: its own server still serves every image and block.
        await using (var server = await TestServer.StartAsync("us-east-1", o => o.DataDir = single))
        {
            using var ec2 = server.Ec2();
            Assert.Equal(images.Keys.Order(), (await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["self"] })).Images.Select(i => i.ImageId).Order());
            foreach (var (snapshotId, seed) in images.Values)
            {
                Assert.Equal(
                    ImageFixtures.GeneratedBlocks(ImageSize, seed).ToDictionary(b => b.Key, b => Convert.ToHexString(SHA256.HashData(b.Value))),
                    (await ImageFixtures.SnapshotDigestsAsync(server, snapshotId)).ToDictionary());
            }
        }
    }

    /// <summary>Runs `amivault migrate` with the cluster's settings; with <paramref name="killAfter"/>, SIGKILLs it once it printed a line starting so.</summary>
    private static async Task<(int ExitCode, string Output)> MigrateAsync(TestCluster cluster, string dataDir, string? killAfter = null)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "amivault"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["migrate", "--data-dir", dataDir])
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in cluster.Settings())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("amivault did not start.");
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            output.Enqueue(e.Data);
            if (killAfter is not null && e.Data.StartsWith(killAfter, StringComparison.Ordinal))
            {
                process.Kill();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                output.Enqueue(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        return (process.ExitCode, string.Join('\n', output));
    }
}
