using AmiVault.Benchmarks.Suite;

namespace AmiVault.Benchmarks.Scenarios;

/// <summary>
/// `amivault copy` of a 2 GiB object from one S3 to another against what people use: `aws s3 cp` down to a file
/// then up, and `rclone copyto` between two remotes (which streams through the client). The two S3 endpoints are two
/// AmiVault servers, each in its own process; the object was uploaded in 8 MiB parts, as a store task writes it.
/// </summary>
internal sealed class CopyScenario(SuiteContext context) : Scenario(context)
{
    private const string Key = "object.bin";

    private TwoS3Servers? _servers;

    public override string Id => "copy";

    public override string Title => "Copy an object between two S3 endpoints";

    public override string Issue => "copy/import CLI";

    private long ObjectSize => Math.Min(2L << 30, Context.ImageSize);

    private string Home => Context.Scratch("copy-home");

    private string SourceUrl => _servers!.SourceUrl;

    private string DestinationUrl => _servers!.DestinationUrl;

    public override IReadOnlyList<Contender> Contenders =>
    [
        new("aws-s3-cp", "aws s3 cp down to a file, then up", Role.Peer, AwsS3CpAsync),
        new("rclone-copyto", "rclone copyto between two S3 remotes", Role.Peer, RcloneAsync),
        new("amivault-copy", $"amivault copy, {ByteSize.Format(ObjectSize)}", Role.Ours, AmiVaultCopyAsync),
    ];

    public override IReadOnlyList<Figure> Figures =>
    [
        new($"amivault copy {ByteSize.Format(ObjectSize)} vs aws s3 cp down then up", Metric.Throughput, "amivault-copy", "aws-s3-cp", Goal.RatioAtLeast(1.5)),
        new("amivault copy vs rclone copyto", Metric.Throughput, "amivault-copy", "rclone-copyto", Goal.RatioAtLeast(1.0)),
        new("amivault copy peak memory", Metric.PeakMemory, "amivault-copy", null, Goal.AtMost(256, "MiB")),
    ];

    public override async Task SetUpAsync(CancellationToken cancellationToken)
    {
        var image = await Context.ImageAsync(Context.ImageSize, cancellationToken);
        _servers = await TwoS3Servers.StartAsync(Context, "copy", cancellationToken);
        await _servers.UploadAsync(Key, image.Path, 0, ObjectSize, Context.Scratch("copy-spool"), cancellationToken);
        System.Console.WriteLine($"  s3://source/{Key}: {ByteSize.Format(ObjectSize)} at {SourceUrl}, copied to {DestinationUrl}");
    }

    public override async ValueTask DisposeAsync()
    {
        if (_servers is not null)
        {
            await _servers.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    private async Task<Sample> AmiVaultCopyAsync(CancellationToken cancellationToken)
    {
        var run = await AmiVaultCommand.RunAsync(Home,
        [
            "copy", $"s3://source/{Key}", "s3://destination/amivault.bin",
            "--source-endpoint-url", SourceUrl, "--dest-endpoint-url", DestinationUrl, "--state-dir", Context.Scratch("copy-state"),
        ], cancellationToken);
        return new Sample(run.Seconds, ObjectSize, PeakMemoryBytes: run.PeakMemoryBytes);
    }

    private async Task<Sample> AwsS3CpAsync(CancellationToken cancellationToken)
    {
        var file = Context.Scratch("copy-through-disk.bin");
        var environment = AmiVaultCommand.Environment(Home);
        try
        {
            var down = await ExternalCommand.RunAsync("/usr/bin/aws", ["s3", "cp", $"s3://source/{Key}", file, "--endpoint-url", SourceUrl, "--no-progress"], cancellationToken, environment: environment);
            var up = await ExternalCommand.RunAsync("/usr/bin/aws", ["s3", "cp", file, "s3://destination/aws.bin", "--endpoint-url", DestinationUrl, "--no-progress"], cancellationToken, environment: environment);
            return new Sample(down.Seconds + up.Seconds, ObjectSize, PeakMemoryBytes: Math.Max(down.PeakMemoryBytes ?? 0, up.PeakMemoryBytes ?? 0));
        }
        finally
        {
            File.Delete(file);
        }
    }

    private async Task<Sample> RcloneAsync(CancellationToken cancellationToken)
    {
        var environment = _servers!.RcloneEnvironment(Home);

        // --ignore-times: copy every repetition, although the previous one left an identical object there.
        var run = await ExternalCommand.RunAsync("rclone", ["copyto", "--ignore-times", $"src:source/{Key}", "dst:destination/rclone.bin"], cancellationToken, environment: environment);
        return new Sample(run.Seconds, ObjectSize, PeakMemoryBytes: run.PeakMemoryBytes);
    }
}
