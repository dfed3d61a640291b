using System.Diagnostics;
using System.Security.Cryptography;
using AmiVault.Benchmarks.Suite;
using AmiVault.Client;

namespace AmiVault.Benchmarks.Scenarios;

/// <summary>
/// `amivault import-disk` of the raw image into a snapshot through the EBS direct APIs, against the AWS CLI's
/// `aws ebs put-snapshot-block`, one call per block, which is what a script without a dedicated tool does. The CLI
/// starts a Python process per block, so it is timed on the first few data blocks only: its figure is a rate.
/// </summary>
internal sealed class ImportDiskScenario(SuiteContext context) : Scenario(context)
{
    private const string NotYet = "needs `amivault import-disk`";
    private int CliBlocks => Context.Smoke ? 2 : 8;

    private ImageFile? _image;
    private int[] _blocks = [];
    private AmiVaultServerProcess? _server;
    private EbsClient? _ebs;

    public override string Id => "import-disk";

    public override string Title => "Import a raw disk image into a snapshot";

    public override string Issue => "copy/import CLI";

    public override IReadOnlyList<Contender> Contenders =>
    [
        new("aws-put-snapshot-block", $"aws ebs put-snapshot-block, one block at a time (first {CliBlocks} data blocks)", Role.Peer, AwsPutBlocksAsync),
        new("import-disk", $"amivault import-disk, {ByteSize.Format(Context.ImageSize)} image", Role.Ours, NotYet),
    ];

    public override IReadOnlyList<Figure> Figures =>
    [
        new("amivault import-disk throughput", Metric.Throughput, "import-disk", null, Goal.AtLeast(500, "MB/s")),
        new("amivault import-disk vs aws ebs put-snapshot-block one by one", Metric.Throughput, "import-disk", "aws-put-snapshot-block", Goal.RatioAtLeast(1.0)),
        new("amivault import-disk peak memory", Metric.PeakMemory, "import-disk", null, Goal.AtMost(256, "MiB")),
    ];

    public override async Task SetUpAsync(CancellationToken cancellationToken)
    {
        _image = await Context.ImageAsync(Context.ImageSize, cancellationToken);
        _blocks = [.. AmiVaultImages.DataBlocks(_image).Take(CliBlocks)];
        _server = await AmiVaultServerProcess.StartAsync(Context.Scratch("import-server"), cancellationToken);
        _ebs = _server.Ebs();
    }

    public override async ValueTask DisposeAsync()
    {
        _ebs?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    private async Task<Sample> AwsPutBlocksAsync(CancellationToken cancellationToken)
    {
        var snapshot = await _ebs!.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = (_image!.Image.Size + (1L << 30) - 1) >> 30 }, cancellationToken);
        var blockFile = Context.Scratch("cli-block.bin");
        var data = new byte[AmiVaultImages.BlockSize];
        long? peak = null;
        var stopwatch = Stopwatch.StartNew();
        using (var image = File.OpenHandle(_image.Path))
        {
            foreach (var block in _blocks)
            {
                await RandomAccess.ReadAsync(image, data, (long)block * AmiVaultImages.BlockSize, cancellationToken);
                await File.WriteAllBytesAsync(blockFile, data, cancellationToken);
                var run = await ExternalCommand.RunAsync("/usr/bin/aws",
                [
                    "ebs", "put-snapshot-block", "--endpoint-url", _server!.Endpoint.ToString().TrimEnd('/'),
                    "--snapshot-id", snapshot.SnapshotId, "--block-index", block.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "--block-data", blockFile, "--data-length", data.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "--checksum", Convert.ToBase64String(SHA256.HashData(data)), "--checksum-algorithm", "SHA256",
                ], cancellationToken, environment: AmiVaultServerProcess.AwsCliEnvironment);
                peak = Math.Max(peak ?? 0, run.PeakMemoryBytes ?? 0);
            }
        }

        var seconds = stopwatch.Elapsed.TotalSeconds;
        File.Delete(blockFile);
        return new Sample(seconds, (long)_blocks.Length * AmiVaultImages.BlockSize, PeakMemoryBytes: peak);
    }
}
