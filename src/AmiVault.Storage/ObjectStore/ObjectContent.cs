namespace AmiVault.ObjectStore;

/// <summary>
/// An open object: <see cref="Body"/> yields <see cref="Length"/> bytes starting at <see cref="Offset"/>.
/// <see cref="IsRange"/> tells a ranged answer (206) from a whole one.
/// </summary>
internal sealed class ObjectContent(ObjectInfo info, Stream body, long offset, long length, bool isRange) : IAsyncDisposable
{
    public ObjectInfo Info { get; } = info;

    public Stream Body { get; } = body;

    public long Offset { get; } = offset;

    public long Length { get; } = length;

    public bool IsRange { get; } = isRange;

    /// <summary>
    /// The flexible checksum of exactly the bytes answered, when one is known: the object's for a whole answer, a
    /// part's for a part of a composite-checksummed object, none for a byte range.
    /// </summary>
    public ObjectChecksum? Checksum { get; init; }

    public ValueTask DisposeAsync() => Body.DisposeAsync();
}
