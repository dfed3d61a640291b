namespace AmiVault.ObjectStore.Embedded;

/// <summary>upload.json in a multipart upload's folder: what the completed object will be.</summary>
internal sealed record UploadRecord(
    string Key,
    string UploadId,
    DateTimeOffset Initiated,
    string? ContentType,
    Dictionary<string, string> Metadata,
    Dictionary<string, string> Tags,
    bool Encrypted,
    Dictionary<string, string>? Headers = null);
