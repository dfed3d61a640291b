using AmiVault.Benchmarks.Suite;

namespace AmiVault.Benchmarks.Scenarios;

/// <summary>
/// `amivault copy` of a 2 GiB object from one S3 to another against what people use: `aws s3 cp` down to a file
/// then up, and `rclone copyto` between two remotes (which streams through the client).
/// </summary>
internal sealed class CopyScenario(SuiteContext context) : Scenario(context)
{
    private const string NotYet = "needs `amivault copy`";
    private const string NeedsS3 = "needs two S3 endpoints to copy between (the AmiVault S3 endpoint); paired when it merges";

    public override string Id => "copy";

    public override string Title => "Copy an object between two S3 endpoints";

    public override string Issue => "copy/import CLI";

    private long ObjectSize => Math.Min(2L << 30, Context.ImageSize);

    public override IReadOnlyList<Contender> Contenders =>
    [
        new("aws-s3-cp", "aws s3 cp down to a file, then up", Role.Peer, NeedsS3),
        new("rclone-copyto", "rclone copyto between two S3 remotes", Role.Peer, NeedsS3),
        new("amivault-copy", $"amivault copy, {ByteSize.Format(ObjectSize)}", Role.Ours, NotYet),
    ];

    public override IReadOnlyList<Figure> Figures =>
    [
        new($"amivault copy {ByteSize.Format(ObjectSize)} vs aws s3 cp down then up", Metric.Throughput, "amivault-copy", "aws-s3-cp", Goal.RatioAtLeast(1.5)),
        new("amivault copy vs rclone copyto", Metric.Throughput, "amivault-copy", "rclone-copyto", Goal.RatioAtLeast(1.0)),
        new("amivault copy peak memory", Metric.PeakMemory, "amivault-copy", null, Goal.AtMost(256, "MiB")),
    ];
}
