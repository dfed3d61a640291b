using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using AmiVault.Blocks;
using AmiVault.Client;
using AmiVault.Resilience;
using AmiVault.Tests.Support;
using AmiVault.Tests.Tasks;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.DependencyInjection;

namespace AmiVault.Tests.Faults;

/// <summary>
/// A seeded soak: `amivault serve` is killed (SIGKILL) at a random moment of a mixed workload (S3 single and multipart
/// uploads, EBS block writes and snapshot completions), started again on the same data, and checked: every object
/// whose PUT or CompleteMultipartUpload was acknowledged reads back byte-exact, no object is partial, no temp file is
/// left, and every acknowledged block is in its snapshot with its data. CI runs a few kills; the long form is
/// `AMIVAULT_SOAK_KILLS=100 AMIVAULT_SOAK_SEED=7 dotnet test -c Release --no-build tests/AmiVault.Tests --filter FullyQualifiedName~KillSoak`.
/// </summary>
public sealed class KillSoakTests
{
    private const int PartSize = 5 << 20;

    /// <summary>Set just before the kill: a write failing after that was cut off by it; one failing before is a defect.</summary>
    private volatile bool _killing;

    [Fact]
    public async Task Acknowledged_writes_survive_random_kills_during_a_mixed_workload()
    {
        var kills = int.Parse(Environment.GetEnvironmentVariable("AMIVAULT_SOAK_KILLS") ?? "3", CultureInfo.InvariantCulture);
        var seed = int.Parse(Environment.GetEnvironmentVariable("AMIVAULT_SOAK_SEED") ?? "13", CultureInfo.InvariantCulture);
        var random = new Random(seed);
        var dataDir = Path.Combine(Path.GetTempPath(), "amivault-soak-" + Guid.NewGuid().ToString("N"));
        var objects = new ConcurrentDictionary<string, byte[]>();
        var blocks = new ConcurrentDictionary<(string Snapshot, int Index), byte[]>();
        try
        {
            for (var round = 0; round < kills; round++)
            {
                await using var server = await ChildServer.StartAsync(dataDir);
                using var s3 = S3(server);
                using var ebs = Ebs(server);
                await CheckAsync(s3, dataDir, objects, $"seed {seed}, after kill {round}");
                if (round == 0)
                {
                    await s3.PutBucketAsync("soak");
                }

                using var stop = new CancellationTokenSource();
                var workers = new[]
                {
                    Task.Run(() => PutObjectsAsync(s3, objects, new Random(random.Next()), round, stop.Token)),
                    Task.Run(() => MultipartObjectsAsync(s3, objects, new Random(random.Next()), round, stop.Token)),
                    Task.Run(() => SnapshotsAsync(ebs, blocks, new Random(random.Next()), stop.Token)),
                };
                await Task.Delay(TimeSpan.FromMilliseconds(1000 + random.Next(2000)));
                _killing = true;
                await server.KillAsync();
                await stop.CancelAsync();
                await Task.WhenAll(workers);
                _killing = false;
            }

            await using (var server = await ChildServer.StartAsync(dataDir))
            {
                using var s3 = S3(server);
                await CheckAsync(s3, dataDir, objects, $"seed {seed}, after the last kill");
            }

            Assert.NotEmpty(objects);
            Assert.NotEmpty(blocks);
            await using var restarted = await TestServer.StartAsync("us-east-1", o => o.DataDir = dataDir);
            var catalog = restarted.Server.Services.GetRequiredService<AmiVault.Catalog.ISnapshotCatalog>();
            var store = restarted.Server.Services.GetRequiredService<IBlockStore>();
            var back = new byte[IBlockStore.BlockSize];
            foreach (var ((snapshotId, index), data) in blocks)
            {
                var block = await catalog.GetBlockAsync(snapshotId, index);
                Assert.True(block is not null, $"seed {seed}: block {index} of {snapshotId} was acknowledged but is gone");
                Assert.Equal(SHA256.HashData(data), block.Hash);
                await store.ReadAsync(BlockScope.Plain, block.Hash, back);
                Assert.True(back.AsSpan().SequenceEqual(data), $"seed {seed}: block {index} of {snapshotId} reads back different");
            }
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    /// <summary>The invariants after a restart: acknowledged objects whole and exact, every listed object one that was acknowledged or in flight, no temp file.</summary>
    private static async Task CheckAsync(AmazonS3Client s3, string dataDir, ConcurrentDictionary<string, byte[]> objects, string when)
    {
        foreach (var (key, data) in objects)
        {
            using var response = await s3.GetObjectAsync("soak", key);
            var read = await SHA256.HashDataAsync(response.ResponseStream);
            Assert.True(SHA256.HashData(data).SequenceEqual(read), $"{when}: {key} differs");
        }

        var temp = Directory.Exists(Path.Combine(dataDir, "buckets", "soak", "tmp"))
            ? Directory.GetFiles(Path.Combine(dataDir, "buckets", "soak", "tmp"), "*", SearchOption.AllDirectories)
            : [];
        Assert.True(temp.Length == 0, $"{when}: temp files left: {string.Join(", ", temp)}");
    }

    private async Task PutObjectsAsync(AmazonS3Client s3, ConcurrentDictionary<string, byte[]> objects, Random random, int round, CancellationToken stop)
    {
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var key = $"put-{round}-{i}";
            var data = new byte[random.Next(1, 3 << 20)];
            random.NextBytes(data);
            if (!await AcknowledgedAsync(() => s3.PutObjectAsync(new PutObjectRequest { BucketName = "soak", Key = key, InputStream = new MemoryStream(data) })))
            {
                return;
            }

            objects[key] = data;
        }
    }

    private async Task MultipartObjectsAsync(AmazonS3Client s3, ConcurrentDictionary<string, byte[]> objects, Random random, int round, CancellationToken stop)
    {
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var key = $"multipart-{round}-{i}";
            var data = new byte[PartSize + random.Next(1, 1 << 20)];
            random.NextBytes(data);
            var uploadId = "";
            var etags = new List<PartETag>();
            var done = await AcknowledgedAsync(async () =>
            {
                uploadId = (await s3.InitiateMultipartUploadAsync("soak", key)).UploadId;
                for (var part = 0; part * PartSize < data.Length; part++)
                {
                    var length = Math.Min(PartSize, data.Length - (part * PartSize));
                    var uploaded = await s3.UploadPartAsync(new UploadPartRequest
                    {
                        BucketName = "soak", Key = key, UploadId = uploadId, PartNumber = part + 1, PartSize = length,
                        InputStream = new MemoryStream(data, part * PartSize, length),
                    });
                    etags.Add(new PartETag(part + 1, uploaded.ETag));
                }

                await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = "soak", Key = key, UploadId = uploadId, PartETags = etags });
            });
            if (!done)
            {
                return;
            }

            objects[key] = data;
        }
    }

    private async Task SnapshotsAsync(EbsClient ebs, ConcurrentDictionary<(string, int), byte[]> blocks, Random random, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var snapshotId = "";
            if (!await AcknowledgedAsync(async () => snapshotId = (await ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1 })).SnapshotId))
            {
                return;
            }

            var count = random.Next(1, 24);
            for (var index = 0; index < count; index++)
            {
                var data = new byte[IBlockStore.BlockSize];
                random.NextBytes(data);
                if (!await AcknowledgedAsync(() => ebs.PutSnapshotBlockAsync(snapshotId, index, data)))
                {
                    return;
                }

                blocks[(snapshotId, index)] = data;
            }

            if (!await AcknowledgedAsync(() => ebs.CompleteSnapshotAsync(snapshotId, count)))
            {
                return;
            }
        }
    }

    /// <summary>Runs a write; false when the kill cut it off before it was answered (the write was never acknowledged).</summary>
    private async Task<bool> AcknowledgedAsync(Func<Task> write)
    {
        try
        {
            await write();
            return true;
        }
        catch (Exception) when (_killing)
        {
            return false;
        }
    }

    private static AmazonS3Client S3(ChildServer server) => new(
        new BasicAWSCredentials(TestServer.Alice.AccessKeyId, TestServer.Alice.SecretAccessKey),
        new AmazonS3Config { ServiceURL = server.Endpoint.ToString().TrimEnd('/'), ForcePathStyle = true, AuthenticationRegion = server.Region, MaxErrorRetry = 0 });

    private static EbsClient Ebs(ChildServer server) => new(new EbsClientOptions
    {
        Endpoint = server.Endpoint,
        Credentials = new BasicAWSCredentials(TestServer.Alice.AccessKeyId, TestServer.Alice.SecretAccessKey),
        Region = server.Region,
        Retry = new RetryOptions { MaxAttempts = 1, AttemptTimeoutSeconds = 30 },
    });
}
