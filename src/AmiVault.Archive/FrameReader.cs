using System.Security.Cryptography;
using ZstdSharp;

namespace AmiVault.Archive;

/// <summary>
/// Reads groups of frames with several ranged reads in flight, checks and decodes each frame, and hands it on.
/// Memory: per read in flight, one read buffer (the read length, or the largest frame if larger) and one buffer
/// for the largest decoded frame.
/// </summary>
internal sealed class FrameReader : IDisposable
{
    private readonly IArchiveSource _source;
    private readonly ArchiveIndex _index;
    private readonly int _blockSize;
    private readonly ArchiveReadOptions _options;
    private readonly Pool<Decompressor> _decompressors = new(() => new Decompressor());
    private readonly int _readBufferLength;
    private readonly int _decodeBufferLength;

    public FrameReader(IArchiveSource source, ArchiveIndex index, int blockSize, ArchiveReadOptions options)
    {
        _source = source;
        _index = index;
        _blockSize = blockSize;
        _options = options;
        int largestStored = 0, largestDecoded = 0;
        for (var number = 0; number < index.FrameCount; number++)
        {
            var frame = index.Frame(number);
            largestStored = Math.Max(largestStored, frame.StoredLength);
            largestDecoded = Math.Max(largestDecoded, frame.Codec == FrameCodec.Zstd ? frame.BlockCount * blockSize : 0);
        }

        // Whole MiBs, so that archives with slightly different frames share the same pooled buffers.
        _readBufferLength = RoundUpToMiB(Math.Max(options.ReadLength, largestStored));
        _decodeBufferLength = RoundUpToMiB(largestDecoded);
    }

    /// <summary>The groups to read to cover the given frames (ascending, distinct).</summary>
    public IEnumerable<FrameGroup> Plan(IEnumerable<int> frames) => FrameGroup.Plan(frames, _index, _options.ReadLength);

    public Task ForEachFrameAsync(
        IEnumerable<FrameGroup> groups, Func<DecodedFrame, CancellationToken, ValueTask> onFrame, CancellationToken cancellationToken)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxParallelReads, CancellationToken = cancellationToken };
        return Parallel.ForEachAsync(groups, parallel, async (group, token) =>
        {
            var stored = ArchiveBuffers.Rent(_readBufferLength);
            var decoded = ArchiveBuffers.Rent(_decodeBufferLength);
            try
            {
                var buffer = stored.AsMemory(0, group.Length);
                await ArchiveReader.ReadAsync(_source, group.Offset, buffer, token);
                if (FirstDamage(group, buffer.Span) is not null)
                {
                    // Read the group once more before judging: a bit flipped on the way (a network, a proxy) is not
                    // damage at rest. Nothing of the group was handed over yet, so nothing is handed over twice.
                    await ArchiveReader.ReadAsync(_source, group.Offset, buffer, token);
                    if (FirstDamage(group, buffer.Span) is { } damage)
                    {
                        throw damage;
                    }
                }

                for (var number = group.FirstFrame; number < group.EndFrame; number++)
                {
                    var frame = _index.Frame(number);
                    var bytes = stored.AsMemory((int)(frame.Offset - group.Offset), frame.StoredLength);
                    await onFrame(new DecodedFrame(_index, frame, Decode(frame, bytes, decoded), _blockSize, blocksChecked: frame.Codec == FrameCodec.Raw), token);
                }
            }
            finally
            {
                ArchiveBuffers.Return(stored);
                ArchiveBuffers.Return(decoded);
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

        // The frame's hash was checked first (FirstDamage), so that only bytes the writer produced reach the decompressor.
        var rawLength = frame.BlockCount * _blockSize;
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

    /// <summary>
    /// The first frame of the group whose stored bytes are not what the writer wrote, as the exception that says so, or
    /// null: a compressed frame against its SHA-256, a raw frame block by block against the blocks' SHA-256.
    /// </summary>
    private ArchiveFormatException? FirstDamage(FrameGroup group, ReadOnlySpan<byte> stored)
    {
        Span<byte> actual = stackalloc byte[ArchiveFormat.HashLength];
        for (var number = group.FirstFrame; number < group.EndFrame; number++)
        {
            var frame = _index.Frame(number);
            var bytes = stored.Slice((int)(frame.Offset - group.Offset), frame.StoredLength);
            if (frame.Codec != FrameCodec.Raw)
            {
                SHA256.HashData(bytes, actual);
                if (!actual.SequenceEqual(_index.FrameHash(frame.Number)))
                {
                    return Corrupt(frame, "does not match its SHA-256");
                }

                continue;
            }

            if (bytes.Length != frame.BlockCount * _blockSize)
            {
                return Corrupt(frame, $"is not the {frame.BlockCount} blocks of a raw frame");
            }

            for (var slot = 0; slot < frame.BlockCount; slot++)
            {
                SHA256.HashData(bytes.Slice(slot * _blockSize, _blockSize), actual);
                if (!actual.SequenceEqual(_index.BlockHash(frame.FirstStoredBlock + slot).Span))
                {
                    return DecodedFrame.BlockCorrupt(frame, frame.FirstStoredBlock + slot);
                }
            }
        }

        return null;
    }

    private static int RoundUpToMiB(int length) => (int)Math.Min(int.MaxValue, ((long)length + (1 << 20) - 1) >> 20 << 20);

    private static ArchiveFormatException Corrupt(ArchiveFrame frame, string problem) => new(
        ArchiveProblem.FrameCorrupt,
        $"The archive is corrupt: frame {frame.Number} ({frame.StoredLength} bytes at offset {frame.Offset}) {problem}.");
}
