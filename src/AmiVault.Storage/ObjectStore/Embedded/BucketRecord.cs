namespace AmiVault.ObjectStore.Embedded;

/// <summary>bucket.json at the top of a bucket's folder: who owns it and how it is configured.</summary>
internal sealed record BucketRecord(string Owner, string Region, DateTimeOffset Created, bool EncryptByDefault);
