namespace AmiVault.ObjectStore;

internal sealed record UploadListing(IReadOnlyList<UploadSummary> Uploads, bool IsTruncated, string? NextKeyMarker, string? NextUploadIdMarker);
