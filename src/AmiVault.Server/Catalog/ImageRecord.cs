namespace AmiVault.Catalog;

/// <summary>An AMI as the catalog keeps it. One server is one region, so the region is the server's.</summary>
internal sealed record ImageRecord
{
    public required string ImageId { get; init; }

    public required string OwnerId { get; init; }

    public required string Name { get; init; }

    public string? Description { get; init; }

    public string Architecture { get; init; } = "x86_64";

    public string? BootMode { get; init; }

    public string VirtualizationType { get; init; } = "hvm";

    public string? RootDeviceName { get; init; }

    /// <summary>"ebs" or "instance-store".</summary>
    public string RootDeviceType { get; init; } = "ebs";

    public bool? EnaSupport { get; init; }

    public string? SriovNetSupport { get; init; }

    public string? TpmSupport { get; init; }

    public string? ImdsSupport { get; init; }

    public string? UefiData { get; init; }

    public string? KernelId { get; init; }

    public string? RamdiskId { get; init; }

    public string? ImageLocation { get; init; }

    /// <summary>pending, available, failed, deregistered…</summary>
    public string State { get; init; } = "available";

    public string? StateReasonCode { get; init; }

    public string? StateReasonMessage { get; init; }

    public required DateTimeOffset CreationDate { get; init; }

    public string? SourceImageId { get; init; }

    public string? SourceImageRegion { get; init; }

    public IReadOnlyList<BlockDeviceMapping> BlockDeviceMappings { get; init; } = [];

    [System.Text.Json.Serialization.JsonIgnore]
    public IEnumerable<string> SnapshotIds =>
        BlockDeviceMappings.Select(m => m.Ebs?.SnapshotId).OfType<string>();
}

internal sealed record BlockDeviceMapping(string DeviceName, EbsMapping? Ebs = null, string? VirtualName = null, string? NoDevice = null);

internal sealed record EbsMapping(
    string? SnapshotId = null,
    int? VolumeSize = null,
    string? VolumeType = null,
    int? Iops = null,
    int? Throughput = null,
    bool? DeleteOnTermination = null,
    bool? Encrypted = null,
    string? KmsKeyId = null);
