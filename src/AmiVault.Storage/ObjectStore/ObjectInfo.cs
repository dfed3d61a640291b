namespace AmiVault.ObjectStore;

/// <summary>What HeadObject tells about an object.</summary>
internal sealed record ObjectInfo(
    string Key,
    long Size,
    string ETag,
    DateTimeOffset LastModified,
    string? ContentType,
    IReadOnlyDictionary<string, string> Metadata,
    bool Encrypted,
    int? PartsCount,
    int TagCount)
{
    /// <summary>The stored standard headers (<see cref="ObjectHeaders"/>).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = ObjectHeaders.None;

    /// <summary>The flexible checksum kept with the object, when it was written with one.</summary>
    public ObjectChecksum? Checksum { get; init; }

    /// <summary>When a lifecycle rule of the bucket will delete the object (S3's x-amz-expiration), if one will.</summary>
    public ObjectExpiration? Expiration { get; init; }
}
