namespace AmiVault.ObjectStore.Embedded;

/// <summary>
/// upload.json in a multipart upload's folder: what the completed object will be. <see cref="ChecksumAlgorithm"/>: the
/// flexible checksum every part carries and the object's is made from (composite or of the full object); absent for
/// uploads without one, and in records written before checksums were kept.
/// </summary>
internal sealed record UploadRecord(
    string Key,
    string UploadId,
    DateTimeOffset Initiated,
    string? ContentType,
    Dictionary<string, string> Metadata,
    Dictionary<string, string> Tags,
    bool Encrypted,
    Dictionary<string, string>? Headers = null,
    string? ChecksumAlgorithm = null,
    bool ChecksumComposite = false);
