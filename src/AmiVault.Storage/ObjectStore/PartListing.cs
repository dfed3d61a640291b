namespace AmiVault.ObjectStore;

internal sealed record PartListing(IReadOnlyList<PartInfo> Parts, bool IsTruncated, int NextPartNumberMarker);
