using AmiVault.Archive;

namespace AmiVault.ObjectStore;

/// <summary>
/// An archive read with ranged GETs, each pinned with If-Match to the ETag the object had when the restore was
/// accepted, so an object replaced mid-restore fails the restore instead of mixing two archives. A read that fails
/// on the way (a 5xx or SlowDown, a broken connection, a body cut short) is tried again a few times: only the object's
/// real end is the archive's end.
/// </summary>
internal sealed class ObjectArchiveSource(IObjectStore store, string bucket, string key, string etag, long length) : IArchiveSource
{
    private const int MaxAttempts = 4;

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

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ReadOnceAsync(offset, buffer, cancellationToken);
                return;
            }
            catch (Exception e) when (attempt < MaxAttempts && IsTransient(e, cancellationToken))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100 * (1 << attempt) * (0.5 + Random.Shared.NextDouble() / 2)), cancellationToken);
            }
        }
    }

    private async Task ReadOnceAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        await using var content = await store.GetObjectAsync(bucket, key, new ObjectReadOptions
        {
            Range = ByteRange.FromOffset(offset, buffer.Length),
            IfMatch = etag,
        }, cancellationToken);
        if (content.Offset != offset || content.Length != buffer.Length)
        {
            throw new IOException($"s3://{bucket}/{key} answered bytes {content.Offset}+{content.Length} for {offset}+{buffer.Length}.");
        }

        var read = await content.Body.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
        if (read != buffer.Length)
        {
            // The object is longer (it was measured when the restore began, and the ETag pins it): the answer was cut short.
            throw new IOException($"The answer for bytes {offset}+{buffer.Length} of s3://{bucket}/{key} ended after {read} bytes.");
        }
    }

    private static bool IsTransient(Exception e, CancellationToken caller) => e switch
    {
        ObjectStoreException s3 => s3.Status >= 500 || s3.Code is "SlowDown" or "RequestTimeout",
        IOException or HttpRequestException or TimeoutException => true,
        OperationCanceledException => !caller.IsCancellationRequested,
        _ => false,
    };
}
