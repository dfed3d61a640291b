namespace AmiVault.ObjectStore;

/// <summary>A part as uploaded; <see cref="Checksum"/>: its checksum of the upload's algorithm, when the upload has one.</summary>
internal sealed record PartInfo(int PartNumber, string ETag, long Size, DateTimeOffset LastModified, string? Checksum = null);
