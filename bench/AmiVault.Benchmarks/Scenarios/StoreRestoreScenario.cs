using System.Diagnostics;
using AmiVault.Benchmarks.Suite;
using Amazon.S3.Transfer;

namespace AmiVault.Benchmarks.Scenarios;

/// <summary>
/// Storing an image as one compressed object and restoring it, against what users would do instead: `zstd -3 -T0`
/// and `zstd -d` of the raw image, `restic backup --stdin` and `restic dump` to a local repository.
/// Run for a few image sizes (the chart); the goals are read at the largest.
/// </summary>
internal sealed class StoreRestoreScenario(SuiteContext context) : Scenario(context)
{
    public const string StoreSeries = "amivault store";
    public const string RestoreSeries = "amivault restore";
    private const string ResticPassword = "amivault-bench";
    private const string Bucket = "bench";

    private readonly Dictionary<long, ImageFile> _images = [];
    private readonly Dictionary<long, string> _imageIds = [];
    private AmiVaultServerProcess? _source;

    private string SourceDir => Context.Scratch("store-source");

    private string TargetDir => Context.Scratch("restore-target");

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
                new($"Store wall time vs zstd -3 -T0, {ByteSize.Format(Sizes[^1])} image", Metric.Seconds, "store" + at, "zstd-3" + at, Goal.RatioAtMost(0.8)),
                new("Stored object size vs zstd -3 output", Metric.OutputSize, "store" + at, "zstd-3" + at, Goal.RatioAtMost(1.0)),
                new("Restore wall time vs zstd -d", Metric.Seconds, "restore" + at, "zstd-d" + at, Goal.RatioAtMost(1.0)),
                new("Store throughput vs restic backup --stdin", Metric.Throughput, "store" + at, "restic-backup" + at, Goal.RatioAtLeast(3)),
                new("Restore throughput vs restic dump", Metric.Throughput, "restore" + at, "restic-dump" + at, Goal.RatioAtLeast(3)),
                new("Server peak memory during store", Metric.PeakMemory, "store" + at, null, Goal.AtMost(300, "MiB")),
                new("Server peak memory during restore", Metric.PeakMemory, "restore" + at, null, Goal.AtMost(300, "MiB")),
            ];
        }
    }

    /// <summary>
    /// The images are uploaded once through the EBS direct API and registered; the server is then restarted so that
    /// its memory peak is the store's and not the upload's.
    /// </summary>
    public override async Task SetUpAsync(CancellationToken cancellationToken)
    {
        _source = await AmiVaultServerProcess.StartAsync(SourceDir, cancellationToken);
        using (var ebs = _source.Ebs())
        using (var ec2 = _source.Ec2())
        using (var s3 = _source.S3())
        {
            await s3.PutBucketAsync(Bucket, cancellationToken);
            foreach (var size in Sizes)
            {
                var image = _images[size] = await Context.ImageAsync(size, cancellationToken);
                var snapshotId = await AmiVaultImages.UploadSnapshotAsync(ebs, image, AmiVaultImages.DataBlocks(image), BlockApiScenario.Clients, cancellationToken);
                _imageIds[size] = await AmiVaultImages.RegisterAsync(ec2, snapshotId, cancellationToken);
            }
        }

        await _source.DisposeAsync();
        _source = await AmiVaultServerProcess.StartAsync(SourceDir, cancellationToken);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_source is not null)
        {
            await _source.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    private async Task<Sample> StoreAsync(long size, CancellationToken cancellationToken)
    {
        using var ec2 = _source!.Ec2();
        using var s3 = _source.S3();
        await AmiVaultImages.ForgetStoredAsync(s3, Bucket, _imageIds[size], cancellationToken);
        _source.ResetPeakMemory();
        var stopwatch = Stopwatch.StartNew();
        var key = await AmiVaultImages.StoreAsync(ec2, _imageIds[size], Bucket, cancellationToken);
        var seconds = stopwatch.Elapsed.TotalSeconds;
        var peak = _source.PeakMemoryBytes;
        var stored = await s3.GetObjectMetadataAsync(Bucket, key, cancellationToken);
        return new Sample(seconds, size, stored.ContentLength, peak);
    }

    /// <summary>
    /// Restores on a fresh server, as on another machine: the stored object is carried over first (untimed), and that
    /// server restarted so its memory peak is the restore's.
    /// </summary>
    private async Task<Sample> RestoreAsync(long size, CancellationToken cancellationToken)
    {
        var key = _imageIds[size] + ".bin";
        var carried = Context.Scratch($"object-{size}.bin");
        using (var source = new TransferUtility(_source!.S3()))
        {
            await source.DownloadAsync(carried, Bucket, key, cancellationToken);
        }

        await using (var target = await AmiVaultServerProcess.StartAsync(TargetDir, cancellationToken))
        using (var upload = new TransferUtility(target.S3()))
        {
            await upload.S3Client.PutBucketAsync(Bucket, cancellationToken);
            await upload.UploadAsync(carried, Bucket, key, cancellationToken);
        }

        File.Delete(carried);
        try
        {
            await using var target = await AmiVaultServerProcess.StartAsync(TargetDir, cancellationToken);
            using var ec2 = target.Ec2();
            target.ResetPeakMemory();
            var stopwatch = Stopwatch.StartNew();
            await AmiVaultImages.RestoreAsync(ec2, Bucket, key, cancellationToken);
            return new Sample(stopwatch.Elapsed.TotalSeconds, size, PeakMemoryBytes: target.PeakMemoryBytes);
        }
        finally
        {
            Directory.Delete(TargetDir, recursive: true);
        }
    }

    private IEnumerable<Contender> ContendersFor(long size)
    {
        var at = $"@{ByteSize.Compact(size)}";
        var compressed = Context.Scratch($"zstd-{size}.zst");
        var restored = Context.Scratch($"restored-{size}.raw");
        var repository = Context.Scratch($"restic-{size}");
        Dictionary<string, string?> restic = new() { ["RESTIC_PASSWORD"] = ResticPassword, ["RESTIC_REPOSITORY"] = repository };

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

        yield return new Contender("store" + at, "amivault: CreateStoreImageTask until Completed", Role.Ours, ct => StoreAsync(size, ct)) { Series = StoreSeries, ImageSize = size };
        yield return new Contender("restore" + at, "amivault: CreateRestoreImageTask until available, on a fresh server", Role.Ours, ct => RestoreAsync(size, ct)) { Series = RestoreSeries, ImageSize = size };
    }
}
