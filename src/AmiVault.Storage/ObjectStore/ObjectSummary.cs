namespace AmiVault.ObjectStore;

internal sealed record ObjectSummary(string Key, long Size, string ETag, DateTimeOffset LastModified);
