using System.Buffers;
using System.Security.Cryptography;

namespace AmiVault.ObjectStore.Embedded;

/// <summary>
/// Streams a body into a new data file (plain, or encrypted with <see cref="SegmentCipher"/>), hashing it as it
/// goes and flushing it to disk. Every check that can fail (length, Content-MD5, and the source's own checks, which
/// throw when it reaches its end) happens before the caller renames the file into place; on failure the file is gone.
/// </summary>
internal static class SegmentWriter
{
    public static async Task<WrittenSegment> WriteAsync(
        Stream source, string path, long? expectedLength, long maxLength, byte[]? masterKey, byte[]? expectedMd5, CancellationToken cancellationToken)
    {
        var current = ArrayPool<byte>.Shared.Rent(SegmentCipher.FrameSize);
        var next = ArrayPool<byte>.Shared.Rent(SegmentCipher.FrameSize);
        var sealedFrame = masterKey is null ? null : ArrayPool<byte>.Shared.Rent(SegmentCipher.FrameSize + SegmentCipher.TagSize);
        SegmentCipher? cipher = null;
        try
        {
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);
            if (masterKey is not null)
            {
                cipher = SegmentCipher.CreateForWrite(masterKey, out var header);
                await file.WriteAsync(header, cancellationToken);
            }

            using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
            long total = 0, frameIndex = 0;

            // One frame of look-ahead: the encrypted format must know which frame is the last when sealing it.
            var currentCount = await FillAsync(source, current, cancellationToken);
            while (true)
            {
                var nextCount = currentCount == SegmentCipher.FrameSize ? await FillAsync(source, next, cancellationToken) : 0;
                var last = nextCount == 0;
                total += currentCount;
                if (total > maxLength || (expectedLength is { } max && total > max))
                {
                    throw expectedLength is null || total > maxLength
                        ? ObjectStoreErrors.EntityTooLarge()
                        : ObjectStoreErrors.InvalidRequest("The body is longer than the declared content length.");
                }

                md5.AppendData(current, 0, currentCount);
                if (cipher is not null)
                {
                    cipher.Encrypt(frameIndex, last, current.AsSpan(0, currentCount), sealedFrame);
                    await file.WriteAsync(sealedFrame.AsMemory(0, currentCount + SegmentCipher.TagSize), cancellationToken);
                }
                else if (currentCount > 0)
                {
                    await file.WriteAsync(current.AsMemory(0, currentCount), cancellationToken);
                }

                if (last)
                {
                    break;
                }

                (current, next) = (next, current);
                currentCount = nextCount;
                frameIndex++;
            }

            if (expectedLength is { } expected && total != expected)
            {
                throw ObjectStoreErrors.IncompleteBody();
            }

            var digest = md5.GetHashAndReset();
            if (expectedMd5 is not null && !CryptographicOperations.FixedTimeEquals(digest, expectedMd5))
            {
                throw ObjectStoreErrors.BadDigest("Content-MD5");
            }

            file.Flush(flushToDisk: true);
            return new WrittenSegment(path, total, digest);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
        finally
        {
            cipher?.Dispose();
            ArrayPool<byte>.Shared.Return(current);
            ArrayPool<byte>.Shared.Return(next);
            if (sealedFrame is not null)
            {
                ArrayPool<byte>.Shared.Return(sealedFrame);
            }
        }
    }

    private static async Task<int> FillAsync(Stream source, byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < SegmentCipher.FrameSize)
        {
            var read = await source.ReadAsync(buffer.AsMemory(filled, SegmentCipher.FrameSize - filled), cancellationToken);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }
}
