namespace AmiVault.ObjectStore.Embedded;

/// <summary>
/// An object's metadata file. The data lives in <see cref="Segments"/> (paths relative to the bucket's data folder,
/// with their plaintext lengths): one file for a simple upload, the parts for a multipart one. <see cref="DataPath"/>
/// is what to delete with the object (a file, or the folder holding the parts). <see cref="Headers"/>: the stored
/// standard headers; absent in records written before they were kept.
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
    Dictionary<string, string>? Headers = null)
{
    public ObjectInfo ToInfo() => new(Key, Size, ETag, LastModified, ContentType, Metadata, Encrypted, PartsCount, Tags.Count)
    {
        Headers = Headers ?? ObjectHeaders.None,
    };
}
