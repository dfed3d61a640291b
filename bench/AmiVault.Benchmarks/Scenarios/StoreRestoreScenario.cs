using System.Diagnostics;
using AmiVault.Benchmarks.Suite;
using AmiVault.Client;
using Amazon.EC2;
using Amazon.EC2.Model;
using Metric = AmiVault.Benchmarks.Suite.Metric;
using Amazon.Runtime;
using Amazon.S3;

namespace AmiVault.Benchmarks.Scenarios;

/// <summary>
/// Storing an image as one compressed object and restoring it, against what users would do instead: `zstd -3 -T0`
/// and `zstd -d` of the raw image, `restic backup --stdin` and `restic dump` to a local repository.
/// Run for a few image sizes (the chart); the goals are read at the largest. Ours run in `amivault serve` (its own
/// process, embedded buckets): the image is uploaded once with the EBS direct APIs and registered, then each
/// repetition times CreateStoreImageTask until Completed and CreateRestoreImageTask until the image is available.
/// </summary>
internal sealed class StoreRestoreScenario(SuiteContext context) : Scenario(context)
{
    public const string StoreSeries = "amivault store";
    public const string RestoreSeries = "amivault restore";
    private const string ResticPassword = "amivault-bench";
    private const string Bucket = "bench-images";
    private const int UploadConcurrency = 16;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    private readonly Dictionary<long, ImageFile> _images = [];
    private readonly Dictionary<long, string> _imageIds = [];
    private AmiVaultServerProcess? _server;
    private AmazonEC2Client? _ec2;
    private AmazonS3Client? _s3;
    private int _restores;

    private string ServerDataDir => Context.Scratch("store-restore-server");

    public override string Id => "store-restore";

    public override string Title => "Store and restore an image vs zstd and restic";

    public override string Issue => "archive/store/restore";

    public IReadOnlyList<long> Sizes => Context.Smoke
        ? [Context.ImageSize]
        : new[] { Context.ImageSize / 8, Context.ImageSize / 2, Context.ImageSize }.Select(s => s / (1 << 20) * (1 << 20)).Where(s => s > 0).Distinct().ToList();

    public override IReadOnlyList<Contender> Contenders => [.. Sizes.SelectMany(ContendersFor)];

    public override IReadOnlyList<Figure> Figures
    {
        get
        {
            var at = $"@{ByteSize.Compact(Sizes[^1])}";
            return
            [
                new($"Store wall time vs zstd -3 -T0, {ByteSize.Format(Sizes[^1])} image", Metric.Seconds, "store" + at, "zstd-3" + at, Goal.RatioAtMost(1.0)),
                new("Stored object size vs zstd -3 output", Metric.OutputSize, "store" + at, "zstd-3" + at, Goal.RatioAtMost(1.0)),
                new("Restore wall time vs zstd -d", Metric.Seconds, "restore" + at, "zstd-d" + at, Goal.RatioAtMost(1.5)),
                new("Store throughput vs restic backup --stdin", Metric.Throughput, "store" + at, "restic-backup" + at, Goal.RatioAtLeast(3)),
                new("Restore throughput vs restic dump", Metric.Throughput, "restore" + at, "restic-dump" + at, Goal.RatioAtLeast(3)),
                new("Server peak memory during store", Metric.PeakMemory, "store" + at, null, Goal.AtMost(300, "MiB")),
                new("Server peak memory during restore", Metric.PeakMemory, "restore" + at, null, Goal.AtMost(300, "MiB")),
            ];
        }
    }

    public override async Task SetUpAsync(CancellationToken cancellationToken)
    {
        foreach (var size in Sizes)
        {
            _images[size] = await Context.ImageAsync(size, cancellationToken);
        }

        _server = await AmiVaultServerProcess.StartAsync(ServerDataDir, cancellationToken);
        var credentials = new BasicAWSCredentials(AmiVaultServerProcess.AccessKeyId, AmiVaultServerProcess.SecretAccessKey);
        var endpoint = _server.Endpoint.ToString().TrimEnd('/');
        _ec2 = new AmazonEC2Client(credentials, new AmazonEC2Config { ServiceURL = endpoint, AuthenticationRegion = "us-east-1" });
        _s3 = new AmazonS3Client(credentials, new AmazonS3Config { ServiceURL = endpoint, AuthenticationRegion = "us-east-1", ForcePathStyle = true });
        await _s3.PutBucketAsync(Bucket, cancellationToken);
        foreach (var size in Sizes)
        {
            var stopwatch = Stopwatch.StartNew();
            var snapshotId = await UploadAsync(_images[size], cancellationToken);
            _imageIds[size] = (await _ec2.RegisterImageAsync(new RegisterImageRequest
            {
                Name = $"bench {size}",
                Architecture = ArchitectureValues.X86_64,
                VirtualizationType = "hvm",
                RootDeviceName = "/dev/xvda",
                BlockDeviceMappings = [new BlockDeviceMapping { DeviceName = "/dev/xvda", Ebs = new EbsBlockDevice { SnapshotId = snapshotId } }],
            }, cancellationToken)).ImageId;
            Console.WriteLine($"  uploaded and registered {ByteSize.Format(size)} as {_imageIds[size]} in {stopwatch.Elapsed.TotalSeconds:0.0} s");
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
            Directory.Delete(ServerDataDir, recursive: true);
        }

        _ec2?.Dispose();
        _s3?.Dispose();
        await base.DisposeAsync();
    }

    /// <summary>The image's non-zero blocks through the EBS direct APIs, as coldsnap uploads a disk.</summary>
    private async Task<string> UploadAsync(ImageFile image, CancellationToken cancellationToken)
    {
        using var ebs = new EbsClient(new EbsClientOptions
        {
            Endpoint = _server!.Endpoint,
            AccessKeyId = AmiVaultServerProcess.AccessKeyId,
            SecretAccessKey = AmiVaultServerProcess.SecretAccessKey,
            Region = "us-east-1",
        });
        var snapshot = await ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = Math.Max(1, (image.Image.Size + (1L << 30) - 1) >> 30) }, cancellationToken);
        var blocks = Enumerable.Range(0, (int)(image.Image.Size / BlockApiScenario.BlockSize))
            .Where(b => !image.Image.IsZero((long)b * BlockApiScenario.BlockSize, BlockApiScenario.BlockSize))
            .ToList();
        using var file = File.OpenHandle(image.Path);
        await Parallel.ForEachAsync(blocks, new ParallelOptions { MaxDegreeOfParallelism = UploadConcurrency, CancellationToken = cancellationToken }, async (block, ct) =>
        {
            var data = new byte[BlockApiScenario.BlockSize];
            await RandomAccess.ReadAsync(file, data, (long)block * BlockApiScenario.BlockSize, ct);
            await ebs.PutSnapshotBlockAsync(snapshot.SnapshotId, block, data, cancellationToken: ct);
        });
        await ebs.CompleteSnapshotAsync(snapshot.SnapshotId, blocks.Count, cancellationToken: cancellationToken);
        return snapshot.SnapshotId;
    }

    /// <summary>CreateStoreImageTask until Completed; the object of the previous repetition is deleted first (untimed).</summary>
    private async Task<Sample> StoreAsync(long size, CancellationToken cancellationToken)
    {
        var imageId = _imageIds[size];
        await _s3!.DeleteObjectAsync(Bucket, imageId + ".bin", cancellationToken);
        _server!.ResetPeakMemory();
        var stopwatch = Stopwatch.StartNew();
        await _ec2!.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = imageId, Bucket = Bucket }, cancellationToken);
        while (true)
        {
            var task = (await _ec2.DescribeStoreImageTasksAsync(new DescribeStoreImageTasksRequest { ImageIds = [imageId] }, cancellationToken)).StoreImageTaskResults.Single();
            if (task.StoreTaskState == "Completed")
            {
                break;
            }

            if (task.StoreTaskState != "InProgress")
            {
                throw new InvalidOperationException($"The store of {imageId} ended {task.StoreTaskState}: {task.StoreTaskFailureReason}");
            }

            await Task.Delay(PollInterval, cancellationToken);
        }

        var seconds = stopwatch.Elapsed.TotalSeconds;
        var peak = _server.PeakMemoryBytes;
        var stored = await _s3.GetObjectMetadataAsync(Bucket, imageId + ".bin", cancellationToken);
        return new Sample(seconds, size, stored.ContentLength, peak);
    }

    /// <summary>CreateRestoreImageTask until the new image is available; it is deregistered with its snapshots afterwards (untimed).</summary>
    private async Task<Sample> RestoreAsync(long size, CancellationToken cancellationToken)
    {
        _server!.ResetPeakMemory();
        var stopwatch = Stopwatch.StartNew();
        var imageId = (await _ec2!.CreateRestoreImageTaskAsync(new CreateRestoreImageTaskRequest
        {
            Bucket = Bucket,
            ObjectKey = _imageIds[size] + ".bin",
            Name = $"restored {size} {++_restores}",
        }, cancellationToken)).ImageId;
        while (true)
        {
            var image = (await _ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [imageId] }, cancellationToken)).Images.Single();
            if (image.State == ImageState.Available)
            {
                break;
            }

            if (image.State != ImageState.Pending)
            {
                throw new InvalidOperationException($"The restore of {_imageIds[size]} ended {image.State}: {image.StateReason?.Message}");
            }

            await Task.Delay(PollInterval, cancellationToken);
        }

        var sample = new Sample(stopwatch.Elapsed.TotalSeconds, size, PeakMemoryBytes: _server.PeakMemoryBytes);
        await _ec2.DeregisterImageAsync(new DeregisterImageRequest { ImageId = imageId, DeleteAssociatedSnapshots = true }, cancellationToken);
        return sample;
    }

    private IEnumerable<Contender> ContendersFor(long size)
    {
        var at = $"@{ByteSize.Compact(size)}";
        var compressed = Context.Scratch($"zstd-{size}.zst");
        var restored = Context.Scratch($"restored-{size}.raw");
        var repository = Context.Scratch($"restic-{size}");
        Dictionary<string, string> restic = new() { ["RESTIC_PASSWORD"] = ResticPassword, ["RESTIC_REPOSITORY"] = repository };

        // Each repetition runs these in this order: a restore reads what the store before it wrote.
        yield return new Contender("zstd-3" + at, "zstd -3 -T0 (image to .zst)", Role.Peer, async ct =>
        {
            var run = await ExternalCommand.RunAsync("zstd", ["-3", "-T0", "-q", "-f", _images[size].Path, "-o", compressed], ct);
            return new Sample(run.Seconds, size, new FileInfo(compressed).Length, run.PeakMemoryBytes);
        }) { Series = "zstd -3 -T0", ImageSize = size };

        yield return new Contender("zstd-d" + at, "zstd -d (.zst to image file)", Role.Peer, async ct =>
        {
            var run = await ExternalCommand.RunAsync("zstd", ["-d", "-q", "-f", compressed, "-o", restored], ct);
            File.Delete(restored);
            return new Sample(run.Seconds, size, PeakMemoryBytes: run.PeakMemoryBytes);
        }) { Series = "zstd -d", ImageSize = size };

        yield return new Contender("restic-backup" + at, "restic backup --stdin (new local repository)", Role.Peer, async ct =>
        {
            // A fresh repository each time: a second backup into the same one would only find known chunks.
            if (Directory.Exists(repository))
            {
                Directory.Delete(repository, recursive: true);
            }

            await ExternalCommand.RunAsync("restic", ["init", "--quiet"], ct, environment: restic);
            var run = await ExternalCommand.RunAsync("restic", ["backup", "--quiet", "--no-cache", "--stdin", "--stdin-filename", "disk.img"], ct, stdinFile: _images[size].Path, environment: restic);
            var stored = Directory.EnumerateFiles(repository, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            return new Sample(run.Seconds, size, stored, run.PeakMemoryBytes);
        }) { Series = "restic backup", ImageSize = size };

        yield return new Contender("restic-dump" + at, "restic dump (to image file)", Role.Peer, async ct =>
        {
            var run = await ExternalCommand.RunAsync("restic", ["dump", "--quiet", "--no-cache", "latest", "disk.img"], ct, stdoutFile: restored, environment: restic);
            var length = new FileInfo(restored).Length;
            File.Delete(restored);
            return length == size ? new Sample(run.Seconds, size, PeakMemoryBytes: run.PeakMemoryBytes)
                : throw new InvalidOperationException($"restic dump gave {length} bytes, not {size}.");
        }) { Series = "restic dump", ImageSize = size };

        yield return new Contender("store" + at, "amivault store (CreateStoreImageTask to Completed)", Role.Ours, ct => StoreAsync(size, ct)) { Series = StoreSeries, ImageSize = size };
        yield return new Contender("restore" + at, "amivault restore (CreateRestoreImageTask to available)", Role.Ours, ct => RestoreAsync(size, ct)) { Series = RestoreSeries, ImageSize = size };
    }
}
