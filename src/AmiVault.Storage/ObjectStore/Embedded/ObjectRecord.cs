namespace AmiVault.ObjectStore.Embedded;

/// <summary>
/// An object's metadata file. The data lives in <see cref="Segments"/> (paths relative to the bucket's data folder,
/// with their plaintext lengths): one file for a simple upload, the parts for a multipart one. <see cref="DataPath"/>
/// is what to delete with the object (a file, or the folder holding the parts).
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
    List<SegmentRecord> Segments)
{
    public ObjectInfo ToInfo() => new(Key, Size, ETag, LastModified, ContentType, Metadata, Encrypted, PartsCount, Tags.Count);
}
