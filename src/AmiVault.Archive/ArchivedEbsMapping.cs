namespace AmiVault.Archive;

/// <summary>An EBS mapping without its KMS key, which belongs to the region the image came from.</summary>
public sealed record ArchivedEbsMapping(
    string? SnapshotId = null,
    int? VolumeSize = null,
    string? VolumeType = null,
    int? Iops = null,
    int? Throughput = null,
    bool? DeleteOnTermination = null,
    bool? Encrypted = null);
