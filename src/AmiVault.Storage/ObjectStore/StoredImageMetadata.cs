namespace AmiVault.ObjectStore;

/// <summary>
/// The S3 user metadata keys on a stored image's object (`x-amz-meta-KEY` on the wire). AWS does not publish its key
/// names, so these are ours (docs/store-restore.md); the server writes them, and clients (sync, inspect, the console)
/// read them, so they live below both.
/// </summary>
internal static class StoredImageMetadata
{
    public const string Name = "ami-name";
    public const string Description = "ami-description";
    public const string CreationDate = "ami-creation-date";
    public const string OwnerAccount = "ami-owner-account";
    public const string StoreDate = "ami-store-date";
    public const string ImageId = "ami-id";
    public const string SourceRegion = "ami-source-region";
}
