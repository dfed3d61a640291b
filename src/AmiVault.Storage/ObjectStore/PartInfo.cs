namespace AmiVault.ObjectStore;

internal sealed record PartInfo(int PartNumber, string ETag, long Size, DateTimeOffset LastModified);
