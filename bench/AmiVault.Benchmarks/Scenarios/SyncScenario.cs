using AmiVault.Benchmarks.Suite;
using AmiVault.ObjectStore;

namespace AmiVault.Benchmarks.Scenarios;

/// <summary>
/// `amivault sync` of 8 stored images between two S3 endpoints against `rclone sync` between the same two remotes
/// and `aws s3 sync` down to a folder and up again. The 8 objects (each an eighth of the input image, 256 MiB at the
/// default 2 GiB, uploaded in 8 MiB parts as a store task writes them) sit in s3://source; every contender starts
/// from an empty destination prefix, so each repetition copies them all.
/// </summary>
internal sealed class SyncScenario(SuiteContext context) : Scenario(context)
{
    private const int Objects = 8;

    private TwoS3Servers? _servers;

    public override string Id => "sync";

    public override string Title => "Sync 8 stored images between two S3 endpoints";

    public override string Issue => "amivault sync";

    private long ObjectSize => Context.ImageSize / Objects;

    private string Home => Context.Scratch("sync-home");

    public override IReadOnlyList<Contender> Contenders =>
    [
        new("aws-s3-sync", "aws s3 sync down to a folder, then up", Role.Peer, AwsS3SyncAsync),
        new("rclone-sync", "rclone sync between two S3 remotes", Role.Peer, RcloneSyncAsync),
        new("amivault-sync", $"amivault sync, {Objects} × {ByteSize.Format(ObjectSize)}", Role.Ours, AmiVaultSyncAsync),
    ];

    public override IReadOnlyList<Figure> Figures =>
    [
        new($"amivault sync {Objects} × {ByteSize.Format(ObjectSize)} vs rclone sync (time)", Metric.Seconds, "amivault-sync", "rclone-sync", Goal.RatioAtMost(0.8)),
        new("amivault sync vs aws s3 sync down then up (time)", Metric.Seconds, "amivault-sync", "aws-s3-sync", Goal.RatioAtMost(0.5)),
        new("amivault sync peak memory", Metric.PeakMemory, "amivault-sync", null, Goal.AtMost(256, "MiB")),
    ];

    public override async Task SetUpAsync(CancellationToken cancellationToken)
    {
        var image = await Context.ImageAsync(Context.ImageSize, cancellationToken);
        _servers = await TwoS3Servers.StartAsync(Context, "sync", cancellationToken);
        for (var n = 0; n < Objects; n++)
        {
            await _servers.UploadAsync($"ami-{n:x17}.bin", image.Path, n * ObjectSize, ObjectSize, Context.Scratch("sync-spool"), cancellationToken);
        }

        System.Console.WriteLine($"  s3://source: {Objects} objects of {ByteSize.Format(ObjectSize)} at {_servers.SourceUrl}, synced to {_servers.DestinationUrl}");
    }

    public override async ValueTask DisposeAsync()
    {
        if (_servers is not null)
        {
            await _servers.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    private async Task<Sample> AmiVaultSyncAsync(CancellationToken cancellationToken)
    {
        await EmptyAsync("amivault/", cancellationToken);
        var run = await AmiVaultCommand.RunAsync(Home,
        [
            "sync", "s3://source", "s3://destination/amivault/",
            "--source-endpoint-url", _servers!.SourceUrl, "--dest-endpoint-url", _servers.DestinationUrl, "--state-dir", Context.Scratch("sync-state"),
        ], cancellationToken);
        return new Sample(run.Seconds, Objects * ObjectSize, PeakMemoryBytes: run.PeakMemoryBytes);
    }

    private async Task<Sample> RcloneSyncAsync(CancellationToken cancellationToken)
    {
        await EmptyAsync("rclone/", cancellationToken);
        var run = await ExternalCommand.RunAsync("rclone", ["sync", "src:source", "dst:destination/rclone"], cancellationToken, environment: _servers!.RcloneEnvironment(Home));
        return new Sample(run.Seconds, Objects * ObjectSize, PeakMemoryBytes: run.PeakMemoryBytes);
    }

    private async Task<Sample> AwsS3SyncAsync(CancellationToken cancellationToken)
    {
        await EmptyAsync("aws/", cancellationToken);
        var folder = Context.Scratch("sync-through-disk");
        Directory.CreateDirectory(folder);
        var environment = AmiVaultCommand.Environment(Home);
        try
        {
            var down = await ExternalCommand.RunAsync("/usr/bin/aws", ["s3", "sync", "s3://source", folder, "--endpoint-url", _servers!.SourceUrl, "--no-progress"], cancellationToken, environment: environment);
            var up = await ExternalCommand.RunAsync("/usr/bin/aws", ["s3", "sync", folder, "s3://destination/aws/", "--endpoint-url", _servers.DestinationUrl, "--no-progress"], cancellationToken, environment: environment);
            return new Sample(down.Seconds + up.Seconds, Objects * ObjectSize, PeakMemoryBytes: Math.Max(down.PeakMemoryBytes ?? 0, up.PeakMemoryBytes ?? 0));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The contender's destination prefix emptied before it runs (not timed), so that it copies everything.</summary>
    private async Task EmptyAsync(string prefix, CancellationToken cancellationToken)
    {
        var store = _servers!.DestinationStore;
        var listing = await store.ListObjectsAsync("destination", new ListObjectsQuery { Prefix = prefix }, cancellationToken);
        foreach (var found in listing.Objects)
        {
            await store.DeleteObjectAsync("destination", found.Key, cancellationToken);
        }
    }
}
