using AmiVault.Benchmarks.Suite;

namespace AmiVault.Benchmarks.Scenarios;

/// <summary>
/// `amivault import-disk` of the raw image into a snapshot through the EBS direct APIs, against the AWS CLI's
/// `aws ebs put-snapshot-block`, one call per block, which is what a script without a dedicated tool does.
/// </summary>
internal sealed class ImportDiskScenario(SuiteContext context) : Scenario(context)
{
    private const string NotYet = "needs `amivault import-disk`";
    private const string NeedsEbs = "needs the EBS direct API to send blocks to; paired when it merges";

    public override string Id => "import-disk";

    public override string Title => "Import a raw disk image into a snapshot";

    public override string Issue => "copy/import CLI";

    public override IReadOnlyList<Contender> Contenders =>
    [
        new("aws-put-snapshot-block", "aws ebs put-snapshot-block, one block at a time", Role.Peer, NeedsEbs),
        new("import-disk", $"amivault import-disk, {ByteSize.Format(Context.ImageSize)} image", Role.Ours, NotYet),
    ];

    public override IReadOnlyList<Figure> Figures =>
    [
        new("amivault import-disk throughput", Metric.Throughput, "import-disk", null, Goal.AtLeast(500, "MB/s")),
        new("amivault import-disk vs aws ebs put-snapshot-block one by one", Metric.Throughput, "import-disk", "aws-put-snapshot-block", Goal.RatioAtLeast(1.0)),
        new("amivault import-disk peak memory", Metric.PeakMemory, "import-disk", null, Goal.AtMost(256, "MiB")),
    ];
}
