namespace AmiVault.Protocols.Ec2.Actions.Images;

/// <summary>
/// What an EBS volume type allows in a block device mapping: its size range (GiB), whether it takes Iops (and must),
/// their range and default, and whether it takes Throughput (MiB/s). Figures from the EBS volume type limits.
/// </summary>
internal sealed record VolumeTypeRule(
    string Type,
    int MinSize,
    int MaxSize,
    bool IopsRequired = false,
    int? MinIops = null,
    int? MaxIops = null,
    int? DefaultIops = null,
    int? MinThroughput = null,
    int? MaxThroughput = null,
    int? DefaultThroughput = null)
{
    /// <summary>The type EC2 gives an AMI mapping that names none.</summary>
    public const string DefaultType = "gp2";

    public static readonly IReadOnlyDictionary<string, VolumeTypeRule> All = new VolumeTypeRule[]
    {
        new("standard", 1, 1024),
        new("gp2", 1, 16384),
        new("gp3", 1, 65536, MinIops: 3000, MaxIops: 80000, DefaultIops: 3000, MinThroughput: 125, MaxThroughput: 2000, DefaultThroughput: 125),
        new("io1", 4, 16384, IopsRequired: true, MinIops: 100, MaxIops: 64000),
        new("io2", 4, 65536, IopsRequired: true, MinIops: 100, MaxIops: 256000),
        new("st1", 125, 16384),
        new("sc1", 125, 16384),
    }.ToDictionary(r => r.Type, StringComparer.Ordinal);

    public bool TakesIops => MinIops is not null;

    public bool TakesThroughput => MinThroughput is not null;
}
