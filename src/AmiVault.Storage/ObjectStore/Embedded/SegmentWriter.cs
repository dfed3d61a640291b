using System.Buffers;
using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.Win32.SafeHandles;

namespace AmiVault.ObjectStore.Embedded;

/// <summary>
/// Streams a body into a new data file of sealed frames (<see cref="IFrameSeal"/>: encrypted, or checksummed when
/// plain), computing its MD5 and flushing it to disk. Every check that can fail (length, Content-MD5, and the
/// source's own checks, which throw when it reaches its end) happens before the caller renames the file into place;
/// on failure the file is gone.
/// <para>
/// Two stages run side by side so that a PUT uses two cores: the caller's task reads the body (and with it the
/// request's own work: socket reads, aws-chunked decoding, SHA-256 and checksum verification) into batches of frames;
/// a second task hashes MD5, seals and writes each batch with one system call, and asks the kernel to start writing
/// it back, so that the final fsync finds little left to do.
/// </para>
/// </summary>
internal static class SegmentWriter
{
    /// <summary>A batch is what the writer writes with one system call.</summary>
    private const int BatchSize = SealedFileWriter.MaxWrite;

    /// <summary>Batches read ahead of the writing stage: bounds the memory of one upload to a few MiB.</summary>
    private const int BatchesInFlight = 4;

    public static async Task<WrittenSegment> WriteAsync(
        Stream source, string path, long? expectedLength, long maxLength, byte[]? masterKey, byte[]? expectedMd5, CancellationToken cancellationToken)
    {
        var batches = Channel.CreateBounded<Batch>(new BoundedChannelOptions(BatchesInFlight) { SingleReader = true, SingleWriter = true });
        var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.Delete);
        Task<byte[]>? writing = null;
        try
        {
            writing = Task.Run(() => WriteBatchesAsync(batches, handle, masterKey), CancellationToken.None);
            var total = await ReadBatchesAsync(source, batches.Writer, expectedLength, maxLength, cancellationToken);
            var digest = await writing;
            if (expectedMd5 is not null && !CryptographicOperations.FixedTimeEquals(digest, expectedMd5))
            {
                throw ObjectStoreErrors.BadDigest("Content-MD5");
            }

            RandomAccess.FlushToDisk(handle);
            return new WrittenSegment(path, total, digest);
        }
        catch (Exception e)
        {
            // Stop the writing stage and let it end (it returns its buffers) before its file goes.
            batches.Writer.TryComplete(e);
            if (writing is not null)
            {
                await Task.WhenAny(writing);
            }

            while (batches.Reader.TryRead(out var left))
            {
                left.Return();
            }

            File.Delete(path);
            if (e is ChannelClosedException && writing is { IsFaulted: true })
            {
                // The writing stage failed first (a full disk): that is the error to report.
                await writing;
            }

            throw;
        }
        finally
        {
            handle.Dispose();
        }
    }

    /// <summary>Fills batches from the body and hands them over; at least one, so that an empty body has its frame.</summary>
    private static async Task<long> ReadBatchesAsync(Stream source, ChannelWriter<Batch> batches, long? expectedLength, long maxLength, CancellationToken cancellationToken)
    {
        long total = 0;
        while (true)
        {
            var batch = new Batch(ArrayPool<byte>.Shared.Rent(BatchSize));
            try
            {
                while (batch.Count < BatchSize)
                {
                    var read = await source.ReadAsync(batch.Data.AsMemory(batch.Count, BatchSize - batch.Count), cancellationToken);
                    if (read == 0)
                    {
                        break;
                    }

                    batch.Count += read;
                    total += read;
                    if (total > maxLength || (expectedLength is { } max && total > max))
                    {
                        throw expectedLength is null || total > maxLength
                            ? ObjectStoreErrors.EntityTooLarge()
                            : ObjectStoreErrors.InvalidRequest("The body is longer than the declared content length.");
                    }
                }
            }
            catch
            {
                batch.Return();
                throw;
            }

            var full = batch.Count == BatchSize;
            if (batch.Count > 0 || total == 0)
            {
                await batches.WriteAsync(batch, cancellationToken);
            }
            else
            {
                batch.Return();
            }

            if (!full)
            {
                break;
            }
        }

        if (expectedLength is { } expected && total != expected)
        {
            throw ObjectStoreErrors.IncompleteBody();
        }

        batches.Complete();
        return total;
    }

    /// <summary>
    /// The writing stage. A batch is written once the next one arrives (or the body ended), because the last frame
    /// of the file is sealed as the last; a batch that fills up exactly may be followed by nothing.
    /// </summary>
    private static async Task<byte[]> WriteBatchesAsync(Channel<Batch> channel, SafeFileHandle handle, byte[]? masterKey)
    {
        Batch? held = null;
        try
        {
            using var file = new SealedFileWriter(handle, masterKey);
            while (await channel.Reader.WaitToReadAsync())
            {
                while (channel.Reader.TryRead(out var next))
                {
                    if (held is { } previous)
                    {
                        file.Write(previous.Data.AsSpan(0, previous.Count), last: false);
                        previous.Return();
                    }

                    held = next;
                }
            }

            if (held is { } final)
            {
                held = null;
                file.Write(final.Data.AsSpan(0, final.Count), last: true);
                final.Return();
            }

            return file.Md5();
        }
        catch (Exception e)
        {
            // Stops the reading stage at its next hand-over.
            channel.Writer.TryComplete(e);
            throw;
        }
        finally
        {
            held?.Return();
        }
    }

    private sealed class Batch(byte[] data)
    {
        public byte[] Data { get; } = data;

        public int Count { get; set; }

        public void Return() => ArrayPool<byte>.Shared.Return(Data);
    }
}
