using System.Collections.Concurrent;
using System.Security.Cryptography;
using AmiVault.Client;
using AmiVault.Imaging;
using AmiVault.Tests.Ec2;
using AmiVault.Tests.Support;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Amazon.S3;
using Xunit.Abstractions;

namespace AmiVault.Tests.Tasks;

/// <summary>
/// AWS's largest image, 5,000 GiB, as a sparse volume with 2 GiB written at both ends, stored and restored by
/// `amivault serve` in a process of its own with default settings (so the default limits admit it), within the
/// server's memory budget.
/// </summary>
[Trait("Category", "Big")]
public sealed class LargeSparseImageTests(ITestOutputHelper output)
{
    private const long VolumeGib = 5000;
    private const int BlockSize = 512 * 1024;
    private const long MemoryBudget = 300L << 20;

    [Fact]
    public async Task A_sparse_5000_GiB_volume_with_2_GiB_written_stores_and_restores_within_the_memory_budget()
    {
        var dataDir = Directory.CreateTempSubdirectory("amivault-large-").FullName;
        ChildServer? server = null;
        try
        {
            // Each phase in a server started for it (as bench/ measures), so each peak is that phase's own.
            server = await ChildServer.StartAsync(dataDir);
            var lastIndex = (int)(VolumeGib * (1L << 30) / BlockSize) - 1;
            var written = new ConcurrentDictionary<int, string>();
            string imageId;
            using (var ebs = Ebs(server))
            {
                // 1 GiB of a generated system disk at the start of the volume, another at its very end.
                var snapshotId = (await ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = VolumeGib, Description = "5000 GiB, 2 GiB written" })).SnapshotId;
                await WriteAsync(ebs, snapshotId, firstIndex: 0, seed: 1, written);
                await WriteAsync(ebs, snapshotId, firstIndex: lastIndex + 1 - (int)((1L << 30) / BlockSize), seed: 2, written);
                Assert.Equal("completed", await CompleteAsync(ebs, server, snapshotId, written));
                using var ec2 = server.Ec2();
                imageId = await Ec2TestData.RegisterAsync(ec2, "largest-image", snapshotId, r => r.VirtualizationType = "hvm");
                using var s3 = S3(server);
                await s3.PutBucketAsync("large-images");
            }

            var uploadPeak = server.PeakResidentBytes;
            await server.DisposeAsync();
            server = null;
            server = await ChildServer.StartAsync(dataDir);
            using (var ec2 = server.Ec2())
            {
                await ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = imageId, Bucket = "large-images" });
                var stored = await ImageFixtures.WaitForStoreAsync(ec2, imageId);
                Assert.True(stored.StoreTaskState == "Completed", $"The store ended {stored.StoreTaskState}: {stored.StoreTaskFailureReason}\n{server.Output}");
            }

            var storePeak = server.PeakResidentBytes;
            await server.DisposeAsync();
            server = null;
            server = await ChildServer.StartAsync(dataDir);
            using var gov = server.Ec2();
            var restoredId = (await gov.CreateRestoreImageTaskAsync(new CreateRestoreImageTaskRequest
            {
                Bucket = "large-images",
                ObjectKey = imageId + ".bin",
                Name = "largest-image-restored",
            })).ImageId;
            var restored = await ImageFixtures.WaitForImageAsync(gov, restoredId);
            Assert.True(restored.State.Value == "available", $"The restore ended {restored.State}: {restored.StateReason?.Message}\n{server.Output}");
            var restorePeak = server.PeakResidentBytes;
            using var check = S3(server);
            var objectSize = (await check.GetObjectMetadataAsync("large-images", imageId + ".bin")).ContentLength;
            output.WriteLine($"5,000 GiB volume, 2 GiB written: object {objectSize >> 20} MiB; server peak RSS: {uploadPeak >> 20} MiB uploading the blocks, {storePeak >> 20} MiB storing, {restorePeak >> 20} MiB restoring");
            using var ebsCheck = Ebs(server);

            // Every written block is back, at its index, with its data.
            var copyId = restored.BlockDeviceMappings.Single().Ebs.SnapshotId;
            var copy = Assert.Single((await gov.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { SnapshotIds = [copyId] })).Snapshots);
            Assert.Equal((int)VolumeGib, copy.VolumeSize);
            var listed = new List<ListedBlock>();
            await foreach (var block in ebsCheck.ListSnapshotBlocksAsync(copyId))
            {
                listed.Add(block);
            }

            Assert.Equal(written.Keys.Order(), listed.Select(b => b.BlockIndex));
            var buffer = new byte[BlockSize];
            foreach (var block in listed.Where((_, i) => i % 64 == 0).Append(listed[^1]))
            {
                Assert.Equal(written[block.BlockIndex], await ebsCheck.GetSnapshotBlockAsync(copyId, block.BlockIndex, block.BlockToken, buffer));
            }

            Assert.True(storePeak <= MemoryBudget, $"The server's peak resident memory storing was {storePeak >> 20} MiB, over the {MemoryBudget >> 20} MiB budget.");
            Assert.True(restorePeak <= MemoryBudget, $"The server's peak resident memory restoring was {restorePeak >> 20} MiB, over the {MemoryBudget >> 20} MiB budget.");
        }
        finally
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }

            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static EbsClient Ebs(ChildServer server) => new(new EbsClientOptions
    {
        Endpoint = server.Endpoint,
        AccessKeyId = TestServer.Alice.AccessKeyId,
        SecretAccessKey = TestServer.Alice.SecretAccessKey,
        Region = server.Region,
        MaxAttempts = 1,
    });

    private static AmazonS3Client S3(ChildServer server) => new(
        new BasicAWSCredentials(TestServer.Alice.AccessKeyId, TestServer.Alice.SecretAccessKey),
        new AmazonS3Config { ServiceURL = server.Endpoint.ToString().TrimEnd('/'), ForcePathStyle = true, AuthenticationRegion = server.Region });

    /// <summary>Writes the non-zero blocks of a 1 GiB generated disk from <paramref name="firstIndex"/> on, 8 at a time.</summary>
    private static async Task WriteAsync(EbsClient ebs, string snapshotId, int firstIndex, ulong seed, ConcurrentDictionary<int, string> written)
    {
        var image = new DiskImageGenerator(1L << 30, seed);
        await Parallel.ForEachAsync(
            Enumerable.Range(0, (int)((1L << 30) / BlockSize)).Where(i => !image.IsZero((long)i * BlockSize, BlockSize)),
            new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, token) =>
            {
                var data = new byte[BlockSize];
                image.Fill((long)i * BlockSize, data);
                var checksum = Convert.ToBase64String(SHA256.HashData(data));
                await ebs.PutSnapshotBlockAsync(snapshotId, firstIndex + i, data, checksum, cancellationToken: token);
                written[firstIndex + i] = checksum;
            });
    }

    private static async Task<string> CompleteAsync(EbsClient ebs, ChildServer server, string snapshotId, ConcurrentDictionary<int, string> written)
    {
        await ebs.CompleteSnapshotAsync(snapshotId, written.Count);
        using var ec2 = server.Ec2();
        for (var i = 0; i < 600; i++)
        {
            var state = Assert.Single((await ec2.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { SnapshotIds = [snapshotId] })).Snapshots).State.Value;
            if (state != "pending")
            {
                return state;
            }

            await Task.Delay(100);
        }

        return "pending";
    }
}
