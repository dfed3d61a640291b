using System.Buffers;
using System.Security.Cryptography;
using ZstdSharp;

namespace AmiVault.Archive;

/// <summary>
/// Reads groups of frames with several ranged reads in flight, checks and decodes each frame, and hands it on.
/// Memory: per read in flight, one read buffer (about the group target) and one decoded frame.
/// </summary>
internal sealed class FrameReader(IArchiveSource source, ArchiveIndex index, int blockSize) : IDisposable
{
    private readonly DisposablePool<Decompressor> _decompressors = new(() => new Decompressor());

    public Task ForEachFrameAsync(
        IEnumerable<FrameGroup> groups,
        Func<DecodedFrame, CancellationToken, ValueTask> onFrame,
        ArchiveReadOptions options,
        CancellationToken cancellationToken)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxParallelReads, CancellationToken = cancellationToken };
        return Parallel.ForEachAsync(groups, parallel, async (group, token) =>
        {
            var stored = options.Buffers.Rent(group.Length);
            var decoded = options.Buffers.Rent(ArchiveFormat.MaxBlocksPerFrame * blockSize);
            try
            {
                await ArchiveReader.ReadAsync(source, group.Offset, stored.AsMemory(0, group.Length), token);
                for (var number = group.FirstFrame; number < group.EndFrame; number++)
                {
                    var frame = index.Frame(number);
                    var bytes = stored.AsMemory((int)(frame.Offset - group.Offset), frame.StoredLength);
                    await onFrame(new DecodedFrame(index, frame, Decode(frame, bytes, decoded), blockSize), token);
                }
            }
            finally
            {
                options.Buffers.Return(stored);
                options.Buffers.Return(decoded);
            }
        });
    }

    public void Dispose() => _decompressors.Dispose();

    private ReadOnlyMemory<byte> Decode(ArchiveFrame frame, ReadOnlyMemory<byte> bytes, byte[] decoded)
    {
        if (frame.Codec == FrameCodec.Raw)
        {
            return bytes;
        }

        // The hash comes first, so that only bytes the writer produced ever reach the decompressor by accident.
        Span<byte> actual = stackalloc byte[ArchiveFormat.HashLength];
        SHA256.HashData(bytes.Span, actual);
        if (!actual.SequenceEqual(index.FrameHash(frame.Number)))
        {
            throw Corrupt(frame, "does not match its SHA-256");
        }

        var rawLength = frame.BlockCount * blockSize;
        var decompressor = _decompressors.Rent();
        try
        {
            if (!decompressor.TryUnwrap(bytes.Span, decoded.AsSpan(0, rawLength), out var written) || written != rawLength)
            {
                throw Corrupt(frame, $"does not decompress to its {rawLength} bytes");
            }
        }
        catch (ZstdException e)
        {
            throw Corrupt(frame, $"does not decompress ({e.Message})");
        }
        finally
        {
            _decompressors.Return(decompressor);
        }

        return decoded.AsMemory(0, rawLength);
    }

    private static ArchiveFormatException Corrupt(ArchiveFrame frame, string problem) => new(
        ArchiveProblem.FrameCorrupt,
        $"The archive is corrupt: frame {frame.Number} ({frame.StoredLength} bytes at offset {frame.Offset}) {problem}.");
}
