using System.Text.Json.Serialization;

namespace AmiVault.Archive;

/// <summary>An EBS mapping without its KMS key, which belongs to the region the image came from.</summary>
public sealed record ArchivedEbsMapping(
    [property: JsonPropertyName("snapshotId")] string? SnapshotId = null,
    [property: JsonPropertyName("volumeSize")] int? VolumeSize = null,
    [property: JsonPropertyName("volumeType")] string? VolumeType = null,
    [property: JsonPropertyName("iops")] int? Iops = null,
    [property: JsonPropertyName("throughput")] int? Throughput = null,
    [property: JsonPropertyName("deleteOnTermination")] bool? DeleteOnTermination = null,
    [property: JsonPropertyName("encrypted")] bool? Encrypted = null);
