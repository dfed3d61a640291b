namespace AmiVault.ObjectStore;

/// <summary>A bucket the account can use, and the region it lives in.</summary>
internal sealed record BucketInfo(string Name, string Region, DateTimeOffset CreationDate);
