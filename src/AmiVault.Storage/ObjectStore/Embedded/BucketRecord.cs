namespace AmiVault.ObjectStore.Embedded;

/// <summary>
/// bucket.json at the top of a bucket's folder: who owns it and how it is configured. <see cref="Lifecycle"/> is absent
/// in files written before lifecycle rules existed, and when the bucket has none.
/// </summary>
internal sealed record BucketRecord(string Owner, string Region, DateTimeOffset Created, bool EncryptByDefault, List<LifecycleRule>? Lifecycle = null);
