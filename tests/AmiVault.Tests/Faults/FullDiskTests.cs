using System.Diagnostics;
using System.Security.Cryptography;
using AmiVault.Client;
using AmiVault.Tests.Ec2;
using AmiVault.Tests.Support;
using AmiVault.Tests.Tasks;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.S3;
using Amazon.S3.Model;

namespace AmiVault.Tests.Faults;

/// <summary>
/// The server's data folder on a small filesystem of its own (a size-limited tmpfs the test mounts; the tests run as
/// root), filled up to the last byte: writes are refused in each protocol's own error, nothing written before is
/// damaged, reads keep working, and everything works again once space is freed.
/// </summary>
public sealed class FullDiskTests : IAsyncLifetime
{
    private readonly string _mount = Path.Combine(Path.GetTempPath(), "amivault-full-" + Guid.NewGuid().ToString("N")[..10]);
    private TestServer _server = null!;

    private string Filler => Path.Combine(_mount, "filler");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_mount);
        await RunAsync("mount", "-t", "tmpfs", "-o", "size=96m", "tmpfs", _mount);
        _server = await StartAsync();
    }

    private Task<TestServer> StartAsync() => TestServer.StartAsync("us-east-1", o =>
    {
        o.DataDir = Path.Combine(_mount, "data");
        o.Blocks.PackSizeMiB = 8;
    });

    [Fact]
    public async Task A_full_disk_refuses_writes_in_each_protocols_error_keeps_reads_and_recovers_when_space_returns()
    {
        using var s3 = _server.S3();
        using var ec2 = _server.Ec2();
        using var ebs = _server.Ebs(maxAttempts: 1);
        await s3.PutBucketAsync("kept");
        var before = RandomBytes(3 << 20, seed: 1);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = "kept", Key = "before.bin", InputStream = new MemoryStream(before) });
        var blocks = Enumerable.Range(0, 6).ToDictionary(i => (long)i, i => RandomBytes(512 << 10, seed: 10 + i));
        var imageId = await ImageFixtures.ImageAsync(_server, "before the disk filled", blocks: blocks);
        var snapshotId = (await Ec2TestData.ImageAsync(ec2, imageId)).BlockDeviceMappings.Single().Ebs.SnapshotId;

        await ImageFixtures.BucketAsync(_server, "stores");
        FillUp();

        // S3: InternalError (or SlowDown), the object not there.
        var put = await Assert.ThrowsAsync<AmazonS3Exception>(() => s3.PutObjectAsync(new PutObjectRequest { BucketName = "kept", Key = "during.bin", InputStream = new MemoryStream(RandomBytes(2 << 20, seed: 2)) }));
        Assert.Contains(put.ErrorCode, new[] { "InternalError", "SlowDown" });
        Assert.True((int)put.StatusCode is 500 or 503, $"{put.StatusCode}");
        await Assert.ThrowsAsync<AmazonS3Exception>(() => s3.GetObjectMetadataAsync("kept", "during.bin"));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_mount, "data", "buckets", "kept", "tmp")));

        // EBS: InternalServerException for the block (or for the snapshot it would go into).
        var ebsRefusal = await Assert.ThrowsAsync<EbsServiceException>(async () =>
        {
            var started = await ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1, Description = "during" });
            for (var i = 0; i < 8; i++)
            {
                await ebs.PutSnapshotBlockAsync(started.SnapshotId, i, RandomBytes(512 << 10, seed: 100 + i));
            }
        });
        Assert.Equal("InternalServerException", ebsRefusal.ErrorType);

        // A store into a local bucket: refused, or admitted and Failed saying why.
        await AssertStoreRefusedAsync(ec2, imageId);

        // Reads go on: the object, the snapshot's blocks, the catalog.
        Assert.Equal(SHA256.HashData(before), await ObjectSha256Async(s3, "kept", "before.bin"));
        await AssertSnapshotAsync(snapshotId, blocks);
        Assert.Equal("available", (await Ec2TestData.ImageAsync(ec2, imageId)).State.Value);

        File.Delete(Filler);

        // Space is back: every write works again.
        var after = RandomBytes(2 << 20, seed: 3);
        await s3.PutBucketAsync("after");
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = "after", Key = "after.bin", InputStream = new MemoryStream(after) });
        Assert.Equal(SHA256.HashData(after), await ObjectSha256Async(s3, "after", "after.bin"));
        var snapshot = await ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1, Description = "after" });
        await ebs.PutSnapshotBlockAsync(snapshot.SnapshotId, 0, RandomBytes(512 << 10, seed: 4));
        await ebs.CompleteSnapshotAsync(snapshot.SnapshotId, 1);
        await ImageFixtures.BucketAsync(_server, "stores-after");
        var key = await ImageFixtures.StoreAsync(_server, imageId, "stores-after");
        Assert.NotEmpty(key);

        // And what was there before the disk filled is intact, also after a restart on the same data.
        await _server.DisposeAsync();
        _server = await StartAsync();
        using var s3Again = _server.S3();
        Assert.Equal(SHA256.HashData(before), await ObjectSha256Async(s3Again, "kept", "before.bin"));
        await AssertSnapshotAsync(snapshotId, blocks);
    }

    /// <summary>The store is refused as EC2 refuses what fails on the server (no room to record the task), or admitted and Failed saying why.</summary>
    private static async Task AssertStoreRefusedAsync(AmazonEC2Client ec2, string imageId)
    {
        try
        {
            await ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = imageId, Bucket = "stores" });
        }
        catch (AmazonEC2Exception e)
        {
            Assert.Equal(("InternalError", 500), (e.ErrorCode, (int)e.StatusCode));
            return;
        }

        var task = await ImageFixtures.WaitForStoreAsync(ec2, imageId);
        Assert.Equal("Failed", task.StoreTaskState);
        Assert.Contains("no space left on the server", task.StoreTaskFailureReason, StringComparison.OrdinalIgnoreCase);
    }

    private async Task AssertSnapshotAsync(string snapshotId, Dictionary<long, byte[]> blocks)
    {
        var read = await ImageFixtures.ReadSnapshotAsync(_server, snapshotId);
        Assert.Equal(blocks.Keys.Order(), read.Keys);
        Assert.All(blocks, b => Assert.True(b.Value.AsSpan().SequenceEqual(read[b.Key]), $"block {b.Key} changed"));
    }

    /// <summary>Writes a file until the filesystem has no byte left.</summary>
    private void FillUp()
    {
        var chunk = new byte[1 << 20];
        using var filler = new FileStream(Filler, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None);
        try
        {
            while (true)
            {
                filler.Write(chunk);
            }
        }
        catch (IOException)
        {
            // Full: write what still fits, byte by byte at the end.
            for (var size = chunk.Length / 2; size > 0; size /= 2)
            {
                try
                {
                    while (true)
                    {
                        filler.Write(chunk, 0, size);
                    }
                }
                catch (IOException)
                {
                }
            }
        }

        Assert.Equal(0, new DriveInfo(_mount).AvailableFreeSpace);
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    private static async Task<byte[]> ObjectSha256Async(AmazonS3Client s3, string bucket, string key)
    {
        using var response = await s3.GetObjectAsync(bucket, key);
        return await SHA256.HashDataAsync(response.ResponseStream);
    }

    private static async Task RunAsync(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)}: exit {process.ExitCode}: {error}");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await RunAsync("umount", "-l", _mount);
        Directory.Delete(_mount);
    }
}
