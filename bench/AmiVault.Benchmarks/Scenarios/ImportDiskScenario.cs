using System.Security.Cryptography;
using System.Text.Json;
using AmiVault.Benchmarks.Suite;

namespace AmiVault.Benchmarks.Scenarios;

/// <summary>
/// `amivault import-disk` of the raw image into a snapshot through the EBS direct APIs, against the AWS CLI's
/// `aws ebs put-snapshot-block`, one call per block, which is what a script without a dedicated tool does (timed on
/// the first blocks only: one CLI process per block makes the whole image take the better part of an hour).
/// Each repetition imports into a fresh server, so every block is new to it, as for an image never seen before.
/// </summary>
internal sealed class ImportDiskScenario(SuiteContext context) : Scenario(context)
{
    private const int BlockSize = 524288;

    private ImageFile? _image;
    private AmiVaultServerProcess? _server;

    public override string Id => "import-disk";

    public override string Title => "Import a raw disk image into a snapshot";

    public override string Issue => "copy/import CLI";

    /// <summary>Blocks the AWS CLI sends, one process each (a couple of seconds apiece on a busy machine).</summary>
    private int CliBlocks => Context.Smoke ? 4 : 24;

    private string Home => Context.Scratch("import-home");

    public override IReadOnlyList<Contender> Contenders =>
    [
        new("aws-put-snapshot-block", $"aws ebs put-snapshot-block, one block at a time (first {CliBlocks} blocks)", Role.Peer, PutBlocksWithAwsCliAsync),
        new("dd-sparse-fdatasync", "dd bs=1M conv=sparse,fdatasync of the same image to a file", Role.Peer, CopyWithDdAsync),
        new("import-disk", $"amivault import-disk, {ByteSize.Format(Context.ImageSize)} image", Role.Ours, ImportAsync),
    ];

    public override IReadOnlyList<Figure> Figures =>
    [
        new("amivault import-disk throughput", Metric.Throughput, "import-disk", null, Goal.AtLeast(500, "MB/s")),
        new("amivault import-disk vs aws ebs put-snapshot-block one by one", Metric.Throughput, "import-disk", "aws-put-snapshot-block", Goal.RatioAtLeast(1.0)),
        new("amivault import-disk peak memory", Metric.PeakMemory, "import-disk", null, Goal.AtMost(256, "MiB")),
        new("amivault import-disk wall time vs dd conv=sparse,fdatasync", Metric.Seconds, "import-disk", "dd-sparse-fdatasync", Goal.RatioAtMost(1.2)),
    ];

    public override async Task SetUpAsync(CancellationToken cancellationToken)
    {
        _image = await Context.ImageAsync(Context.ImageSize, cancellationToken);
        await RestartServerAsync(cancellationToken);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    private async Task<Sample> ImportAsync(CancellationToken cancellationToken)
    {
        await RestartServerAsync(cancellationToken);
        var run = await AmiVaultCommand.RunAsync(Home, ["import-disk", _image!.Path, "--endpoint-url", Endpoint], cancellationToken);
        return new Sample(run.Seconds, _image.Image.Size, PeakMemoryBytes: run.PeakMemoryBytes);
    }

    /// <summary>The durable raw copy a person would make of the image: the floor for any import onto this disk.</summary>
    private async Task<Sample> CopyWithDdAsync(CancellationToken cancellationToken)
    {
        var copy = Context.Scratch("dd-copy.img");
        File.Delete(copy);
        var run = await ExternalCommand.RunAsync("dd", [$"if={_image!.Path}", $"of={copy}", "bs=1M", "conv=sparse,fdatasync", "status=none"], cancellationToken);
        File.Delete(copy);
        return new Sample(run.Seconds, _image.Image.Size, PeakMemoryBytes: run.PeakMemoryBytes);
    }

    private async Task<Sample> PutBlocksWithAwsCliAsync(CancellationToken cancellationToken)
    {
        var blocks = await WriteFirstBlocksAsync(cancellationToken);
        var output = Context.Scratch("start-snapshot.json");
        string[] endpoint = ["--endpoint-url", Endpoint];
        var environment = AmiVaultCommand.Environment(Home);
        await ExternalCommand.RunAsync("/usr/bin/aws", ["ebs", "start-snapshot", "--volume-size", VolumeGib, .. endpoint], cancellationToken, stdoutFile: output, environment: environment);
        var snapshotId = JsonDocument.Parse(await File.ReadAllTextAsync(output, cancellationToken)).RootElement.GetProperty("SnapshotId").GetString()!;
        double seconds = 0;
        long? peak = null;
        foreach (var (index, path, checksum) in blocks)
        {
            var run = await ExternalCommand.RunAsync("/usr/bin/aws",
            [
                "ebs", "put-snapshot-block", "--snapshot-id", snapshotId, "--block-index", index.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--block-data", path, "--data-length", BlockSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--checksum", checksum, "--checksum-algorithm", "SHA256", .. endpoint,
            ], cancellationToken, environment: environment);
            seconds += run.Seconds;
            peak = Math.Max(peak ?? 0, run.PeakMemoryBytes ?? 0);
        }

        return new Sample(seconds, (long)blocks.Count * BlockSize, PeakMemoryBytes: peak);
    }

    /// <summary>The first non-zero blocks of the image, each in a file as `--block-data` wants it, with its checksum.</summary>
    private async Task<List<(long Index, string Path, string Checksum)>> WriteFirstBlocksAsync(CancellationToken cancellationToken)
    {
        var blocks = new List<(long, string, string)>();
        var buffer = new byte[BlockSize];
        using var image = File.OpenHandle(_image!.Path);
        for (long index = 0; blocks.Count < CliBlocks && index * BlockSize < _image.Image.Size; index++)
        {
            if (_image.Image.IsZero(index * BlockSize, BlockSize))
            {
                continue;
            }

            await RandomAccess.ReadAsync(image, buffer, index * BlockSize, cancellationToken);
            var path = Context.Scratch($"block-{index}.bin");
            await File.WriteAllBytesAsync(path, buffer, cancellationToken);
            blocks.Add((index, path, Convert.ToBase64String(SHA256.HashData(buffer))));
        }

        return blocks;
    }

    private string Endpoint => _server!.Endpoint.ToString().TrimEnd('/');

    private string VolumeGib => Math.Max(1, (_image!.Image.Size + (1L << 30) - 1) >> 30).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private async Task RestartServerAsync(CancellationToken cancellationToken)
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        var dataDir = Context.Scratch("import-server");
        if (Directory.Exists(dataDir))
        {
            Directory.Delete(dataDir, recursive: true);
        }

        _server = await AmiVaultServerProcess.StartAsync(dataDir, cancellationToken);
    }
}
