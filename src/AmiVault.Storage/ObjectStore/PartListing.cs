namespace AmiVault.ObjectStore;

/// <summary>A page of an upload's parts, with the upload's checksum algorithm and type (null: none).</summary>
internal sealed record PartListing(IReadOnlyList<PartInfo> Parts, bool IsTruncated, int NextPartNumberMarker, string? ChecksumAlgorithm = null, bool ChecksumComposite = false);
