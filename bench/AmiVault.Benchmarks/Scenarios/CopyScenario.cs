using System.Diagnostics;
using AmiVault.Benchmarks.Suite;
using Amazon.S3.Model;

namespace AmiVault.Benchmarks.Scenarios;

/// <summary>
/// `amivault copy` of a 2 GiB object from one S3 endpoint to another (two AmiVault servers here) against what people
/// use: `aws s3 cp` down to a file then up, and `rclone copyto` between two remotes (which streams through the client).
/// </summary>
internal sealed class CopyScenario(SuiteContext context) : Scenario(context)
{
    private const string NotYet = "needs `amivault copy`";
    private const string Bucket = "bench";
    private const string Key = "object.bin";

    private AmiVaultServerProcess? _source;
    private AmiVaultServerProcess? _target;

    public override string Id => "copy";

    public override string Title => "Copy an object between two S3 endpoints";

    public override string Issue => "copy/import CLI";

    private long ObjectSize => Math.Min(2L << 30, Context.ImageSize);

    public override IReadOnlyList<Contender> Contenders =>
    [
        new("aws-s3-cp", "aws s3 cp down to a file, then up", Role.Peer, AwsCopyAsync),
        new("rclone-copyto", "rclone copyto between two S3 remotes", Role.Peer, RcloneCopyAsync),
        new("amivault-copy", $"amivault copy, {ByteSize.Format(ObjectSize)}", Role.Ours, NotYet),
    ];

    public override IReadOnlyList<Figure> Figures =>
    [
        new($"amivault copy {ByteSize.Format(ObjectSize)} vs aws s3 cp down then up", Metric.Throughput, "amivault-copy", "aws-s3-cp", Goal.RatioAtLeast(1.5)),
        new("amivault copy vs rclone copyto", Metric.Throughput, "amivault-copy", "rclone-copyto", Goal.RatioAtLeast(1.0)),
        new("amivault copy peak memory", Metric.PeakMemory, "amivault-copy", null, Goal.AtMost(256, "MiB")),
    ];

    /// <summary>The object is a generated image of its size, put into the source server's bucket.</summary>
    public override async Task SetUpAsync(CancellationToken cancellationToken)
    {
        var image = await Context.ImageAsync(ObjectSize, cancellationToken);
        _source = await AmiVaultServerProcess.StartAsync(Context.Scratch("copy-source"), cancellationToken);
        _target = await AmiVaultServerProcess.StartAsync(Context.Scratch("copy-target"), cancellationToken);
        using var source = _source.S3();
        using var target = _target.S3();
        await source.PutBucketAsync(Bucket, cancellationToken);
        await target.PutBucketAsync(Bucket, cancellationToken);
        await source.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = Key, FilePath = image.Path }, cancellationToken);
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (var server in new[] { _source, _target })
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }

        await base.DisposeAsync();
    }

    private async Task<Sample> AwsCopyAsync(CancellationToken cancellationToken)
    {
        var file = Context.Scratch("aws-copy.bin");
        var stopwatch = Stopwatch.StartNew();
        var down = await ExternalCommand.RunAsync("/usr/bin/aws", ["s3", "cp", "--only-show-errors", "--endpoint-url", Url(_source!), $"s3://{Bucket}/{Key}", file], cancellationToken, environment: AmiVaultServerProcess.AwsCliEnvironment);
        var up = await ExternalCommand.RunAsync("/usr/bin/aws", ["s3", "cp", "--only-show-errors", "--endpoint-url", Url(_target!), file, $"s3://{Bucket}/{Key}"], cancellationToken, environment: AmiVaultServerProcess.AwsCliEnvironment);
        var seconds = stopwatch.Elapsed.TotalSeconds;
        File.Delete(file);
        await CheckCopiedAsync(cancellationToken);
        return new Sample(seconds, ObjectSize, PeakMemoryBytes: Math.Max(down.PeakMemoryBytes ?? 0, up.PeakMemoryBytes ?? 0));
    }

    private async Task<Sample> RcloneCopyAsync(CancellationToken cancellationToken)
    {
        // rclone's S3 client fails on a CA bundle it cannot apply, even for plain http: take it away.
        var environment = new Dictionary<string, string?> { ["AWS_CA_BUNDLE"] = null, ["RCLONE_CONFIG"] = "/dev/null" };
        foreach (var (remote, server) in new[] { ("SRC", _source!), ("DST", _target!) })
        {
            environment[$"RCLONE_CONFIG_{remote}_TYPE"] = "s3";
            environment[$"RCLONE_CONFIG_{remote}_PROVIDER"] = "Other";
            environment[$"RCLONE_CONFIG_{remote}_ENDPOINT"] = Url(server);
            environment[$"RCLONE_CONFIG_{remote}_ACCESS_KEY_ID"] = AmiVaultServerProcess.AccessKeyId;
            environment[$"RCLONE_CONFIG_{remote}_SECRET_ACCESS_KEY"] = AmiVaultServerProcess.SecretAccessKey;
            environment[$"RCLONE_CONFIG_{remote}_REGION"] = AmiVaultServerProcess.Region;
        }

        var run = await ExternalCommand.RunAsync("rclone", ["copyto", "--quiet", $"src:{Bucket}/{Key}", $"dst:{Bucket}/{Key}"], cancellationToken, environment: environment);
        await CheckCopiedAsync(cancellationToken);
        return new Sample(run.Seconds, ObjectSize, PeakMemoryBytes: run.PeakMemoryBytes);
    }

    /// <summary>The copy is there, whole; then it is deleted so that the next contender copies again.</summary>
    private async Task CheckCopiedAsync(CancellationToken cancellationToken)
    {
        using var target = _target!.S3();
        var copied = await target.GetObjectMetadataAsync(Bucket, Key, cancellationToken);
        if (copied.ContentLength != ObjectSize)
        {
            throw new InvalidOperationException($"The copy holds {copied.ContentLength} bytes, not {ObjectSize}.");
        }

        await target.DeleteObjectAsync(Bucket, Key, cancellationToken);
    }

    private static string Url(AmiVaultServerProcess server) => server.Endpoint.ToString().TrimEnd('/');
}
