namespace AmiVault.ObjectStore;

internal sealed record UploadSummary(string Key, string UploadId, DateTimeOffset Initiated);
