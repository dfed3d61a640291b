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
}
