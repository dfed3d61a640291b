using AmiVault.Archive;

namespace AmiVault.ObjectStore;

/// <summary>
/// An archive read with ranged GETs, each pinned with If-Match to the ETag the object had when the restore was
/// accepted, so an object replaced mid-restore fails the restore instead of mixing two archives.
/// </summary>
internal sealed class ObjectArchiveSource(IObjectStore store, string bucket, string key, string etag, long length) : IArchiveSource
{
    public long Length => length;

    public async ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (buffer.IsEmpty)
        {
            return;
        }

        if (offset < 0 || offset + buffer.Length > length)
        {
            throw new EndOfStreamException($"s3://{bucket}/{key} has {length} bytes; a read of {buffer.Length} at {offset} goes past its end.");
        }

        await using var content = await store.GetObjectAsync(bucket, key, new ObjectReadOptions
        {
            Range = ByteRange.FromOffset(offset, buffer.Length),
            IfMatch = etag,
        }, cancellationToken);
        if (content.Offset != offset || content.Length != buffer.Length)
        {
            throw new EndOfStreamException($"s3://{bucket}/{key} answered bytes {content.Offset}+{content.Length} for {offset}+{buffer.Length}.");
        }

        await content.Body.ReadExactlyAsync(buffer, cancellationToken);
    }
}
