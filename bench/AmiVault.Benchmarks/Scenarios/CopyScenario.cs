using AmiVault.Benchmarks.Suite;
using AmiVault.ObjectStore;
using AmiVault.ObjectStore.External;
using AmiVault.Tasks;
using BasicAWSCredentials = Amazon.Runtime.BasicAWSCredentials;

namespace AmiVault.Benchmarks.Scenarios;

/// <summary>
/// `amivault copy` of a 2 GiB object from one S3 to another against what people use: `aws s3 cp` down to a file
/// then up, and `rclone copyto` between two remotes (which streams through the client). The two S3 endpoints are two
/// AmiVault servers, each in its own process; the object was uploaded in 8 MiB parts, as a store task writes it.
/// </summary>
internal sealed class CopyScenario(SuiteContext context) : Scenario(context)
{
    private const string Key = "object.bin";

    private AmiVaultServerProcess? _source;
    private AmiVaultServerProcess? _destination;

    public override string Id => "copy";

    public override string Title => "Copy an object between two S3 endpoints";

    public override string Issue => "copy/import CLI";

    private long ObjectSize => Math.Min(2L << 30, Context.ImageSize);

    private string Home => Context.Scratch("copy-home");

    private string SourceUrl => _source!.Endpoint.ToString().TrimEnd('/');

    private string DestinationUrl => _destination!.Endpoint.ToString().TrimEnd('/');

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
        _source = await AmiVaultServerProcess.StartAsync(Context.Scratch("copy-source"), cancellationToken);
        _destination = await AmiVaultServerProcess.StartAsync(Context.Scratch("copy-destination"), cancellationToken);
        var credentials = new BasicAWSCredentials(AmiVaultServerProcess.AccessKeyId, AmiVaultServerProcess.SecretAccessKey);
        using var source = ExternalS3Clients.Create(credentials, "us-east-1", SourceUrl);
        using var destination = ExternalS3Clients.Create(credentials, "us-east-1", DestinationUrl);
        var sourceStore = new ExternalObjectStore(source, "us-east-1", new());
        await sourceStore.CreateBucketAsync("source", cancellationToken);
        await new ExternalObjectStore(destination, "us-east-1", new()).CreateBucketAsync("destination", cancellationToken);

        // In 8 MiB parts, as a store task uploads an archive.
        var uploadId = await sourceStore.CreateMultipartUploadAsync("source", Key, ObjectWriteOptions.Default, cancellationToken);
        await using var upload = new MultipartUploadStream(sourceStore, "source", Key, uploadId, 8 << 20, Context.Scratch("copy-spool"), cancellationToken);
        await using (var file = File.OpenRead(image.Path))
        {
            var buffer = new byte[1 << 20];
            for (var left = ObjectSize; left > 0;)
            {
                var read = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken);
                await upload.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                left -= read;
            }
        }

        await upload.CompleteAsync();
        System.Console.WriteLine($"  s3://source/{Key}: {ByteSize.Format(ObjectSize)} at {SourceUrl}, copied to {DestinationUrl}");
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (var server in new[] { _source, _destination })
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
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
        // An AWS_CA_BUNDLE in the environment makes rclone refuse plain-http endpoints; empty counts as unset.
        var environment = new Dictionary<string, string?> { ["HOME"] = Home, ["RCLONE_CONFIG"] = "/dev/null", ["AWS_CA_BUNDLE"] = "" };
        foreach (var (remote, url) in new[] { ("SRC", SourceUrl), ("DST", DestinationUrl) })
        {
            environment[$"RCLONE_CONFIG_{remote}_TYPE"] = "s3";
            environment[$"RCLONE_CONFIG_{remote}_PROVIDER"] = "Other";
            environment[$"RCLONE_CONFIG_{remote}_ENDPOINT"] = url;
            environment[$"RCLONE_CONFIG_{remote}_REGION"] = "us-east-1";
            environment[$"RCLONE_CONFIG_{remote}_ACCESS_KEY_ID"] = AmiVaultServerProcess.AccessKeyId;
            environment[$"RCLONE_CONFIG_{remote}_SECRET_ACCESS_KEY"] = AmiVaultServerProcess.SecretAccessKey;
        }

        // --ignore-times: copy every repetition, although the previous one left an identical object there.
        var run = await ExternalCommand.RunAsync("rclone", ["copyto", "--ignore-times", $"src:source/{Key}", "dst:destination/rclone.bin"], cancellationToken, environment: environment);
        return new Sample(run.Seconds, ObjectSize, PeakMemoryBytes: run.PeakMemoryBytes);
    }
}
