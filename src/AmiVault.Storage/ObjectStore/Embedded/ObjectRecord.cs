namespace AmiVault.ObjectStore.Embedded;

/// <summary>
/// An object's metadata file. The data lives in <see cref="Segments"/> (paths relative to the bucket's data folder,
/// with their plaintext lengths): one file for a simple upload, the parts for a multipart one. <see cref="DataPath"/>
/// is what to delete with the object (a file, or the folder holding the parts). <see cref="Headers"/>: the stored
/// standard headers; absent in records written before they were kept. <see cref="Checksum"/>: the flexible checksum the
/// object was written with, absent when it had none (and in records written before checksums were kept).
/// </summary>
internal sealed record ObjectRecord(
    string Key,
    long Size,
    string ETag,
    DateTimeOffset LastModified,
    string? ContentType,
    Dictionary<string, string> Metadata,
    Dictionary<string, string> Tags,
    bool Encrypted,
    int? PartsCount,
    string DataPath,
    List<SegmentRecord> Segments,
    Dictionary<string, string>? Headers = null,
    ObjectChecksum? Checksum = null)
{
    /// <summary>What HeadObject tells, with the expiration the bucket's lifecycle rules give it.</summary>
    public ObjectInfo ToInfo(BucketRecord bucket) => new(Key, Size, ETag, LastModified, ContentType, Metadata, Encrypted, PartsCount, Tags.Count)
    {
        Headers = Headers ?? ObjectHeaders.None,
        Checksum = Checksum,
        Expiration = LifecycleRule.Expiration(bucket.Lifecycle, Key, LastModified),
    };
}
