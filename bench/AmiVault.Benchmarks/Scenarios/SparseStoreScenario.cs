using System.Diagnostics;
using AmiVault.Benchmarks.Suite;

namespace AmiVault.Benchmarks.Scenarios;

/// <summary>
/// A large volume with little written must store in about the time of its data, not of its size: a 1 TiB volume
/// holding 1 GiB (a sparse file, uploaded block by block through the EBS direct API) against a 1 GiB volume holding
/// the same bytes.
/// </summary>
internal sealed class SparseStoreScenario(SuiteContext context) : Scenario(context)
{
    private const string Bucket = "bench";

    // A 1 TiB volume is 1024 GiB, over the default limits (AWS's: 1000 GiB an image, 600 GiB in stores in progress).
    private static readonly Dictionary<string, string> Settings = new()
    {
        ["AMIVAULT_TASKS__MAXIMAGESIZEGB"] = "2048",
        ["AMIVAULT_TASKS__STOREQUOTAGB"] = "4096",
    };

    private readonly Dictionary<string, string> _imageIds = [];
    private AmiVaultServerProcess? _server;

    public override string Id => "sparse-store";

    public override string Title => "Store a large, mostly empty volume";

    public override string Issue => "archive/store/restore";

    /// <summary>1 GiB written (less for a smaller --size), in a volume 1024 times larger (1 TiB).</summary>
    private long Written => Math.Max(1, Math.Min(1L << 30, Context.ImageSize) >> 20) << 20;

    private long Volume => Written * 1024;

    private string DataDir => Context.Scratch("sparse-server");

    public override IReadOnlyList<Contender> Contenders =>
    [
        new("store-sparse", $"amivault store, {ByteSize.Format(Volume)} volume with {ByteSize.Format(Written)} written", Role.Ours, ct => StoreAsync("sparse", Volume, ct)),
        new("store-dense", $"amivault store, {ByteSize.Format(Written)} volume with the same data", Role.Ours, ct => StoreAsync("dense", Written, ct)),
    ];

    public override IReadOnlyList<Figure> Figures =>
    [
        new($"Store {ByteSize.Format(Volume)} volume with {ByteSize.Format(Written)} written vs {ByteSize.Format(Written)} volume", Metric.Seconds, "store-sparse", "store-dense", Goal.RatioBelow(3)),
    ];

    public override async Task SetUpAsync(CancellationToken cancellationToken)
    {
        var images = new Dictionary<string, ImageFile>
        {
            ["sparse"] = await Context.SparseImageAsync(Volume, Written, cancellationToken),
            ["dense"] = await Context.ImageAsync(Written, cancellationToken),
        };
        _server = await AmiVaultServerProcess.StartAsync(DataDir, cancellationToken, Settings);
        using (var ebs = _server.Ebs())
        using (var ec2 = _server.Ec2())
        using (var s3 = _server.S3())
        {
            await s3.PutBucketAsync(Bucket, cancellationToken);
            foreach (var (name, image) in images)
            {
                var snapshotId = await AmiVaultImages.UploadSnapshotAsync(ebs, image, AmiVaultImages.DataBlocks(image), BlockApiScenario.Clients, cancellationToken);
                _imageIds[name] = await AmiVaultImages.RegisterAsync(ec2, snapshotId, cancellationToken);
            }
        }

        await _server.DisposeAsync();
        _server = await AmiVaultServerProcess.StartAsync(DataDir, cancellationToken, Settings);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    private async Task<Sample> StoreAsync(string image, long volume, CancellationToken cancellationToken)
    {
        using var ec2 = _server!.Ec2();
        using var s3 = _server.S3();
        await AmiVaultImages.ForgetStoredAsync(s3, Bucket, _imageIds[image], cancellationToken);
        _server.ResetPeakMemory();
        var stopwatch = Stopwatch.StartNew();
        var key = await AmiVaultImages.StoreAsync(ec2, _imageIds[image], Bucket, cancellationToken);
        var seconds = stopwatch.Elapsed.TotalSeconds;
        var peak = _server.PeakMemoryBytes;
        var stored = await s3.GetObjectMetadataAsync(Bucket, key, cancellationToken);
        return new Sample(seconds, volume, stored.ContentLength, peak);
    }
}
