using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace AmiVault.Archive;

/// <summary>
/// The writer's side of the index: frames as they are written, the SHA-256 of every stored block (which is also
/// the dedupe table), and each snapshot's runs. Its memory is what the index will weigh, about 32 bytes per stored
/// block, kept under <see cref="ArchiveFormat.MaxIndexLength"/>.
/// </summary>
internal sealed class ArchiveIndexBuilder(int blockSize)
{
    private const int HashesPerChunk = 2048;

    private readonly List<byte[]> _hashChunks = [];
    private readonly Dictionary<UInt128, int> _storedByHashPrefix = [];
    private readonly List<(int StoredLength, FrameCodec Codec, int BlockCount, byte[]? Sha256)> _frames = [];
    private readonly List<List<BlockRun>> _snapshots = [];
    private long _length = ArchiveFormat.IndexHeaderLength;
    private long _logicalBlocks;
    private long _zeroBlocks;
    private long _duplicateBlocks;
    private long _dataBytes;

    public int StoredBlocks { get; private set; }

    public long LogicalBytes => _logicalBlocks * blockSize;

    public void BeginSnapshot()
    {
        _snapshots.Add([]);
        Grow(ArchiveFormat.SnapshotHeaderLength);
    }

    public void AddZero(long blockIndex)
    {
        _zeroBlocks++;
        Append(blockIndex, BlockRunKind.Zero, 0);
    }

    /// <summary>Lists the block as a copy of a block already stored, if there is one with this hash.</summary>
    public bool TryAddDuplicate(long blockIndex, ReadOnlySpan<byte> sha256)
    {
        if (!_storedByHashPrefix.TryGetValue(Prefix(sha256), out var stored) || !StoredHash(stored).SequenceEqual(sha256))
        {
            return false;
        }

        _duplicateBlocks++;
        Append(blockIndex, BlockRunKind.Sequential, stored);
        return true;
    }

    /// <summary>Lists the block as the next stored block; the caller puts it in the next frame.</summary>
    public void AddStored(long blockIndex, ReadOnlySpan<byte> sha256)
    {
        var stored = StoredBlocks++;
        if (stored % HashesPerChunk == 0)
        {
            _hashChunks.Add(new byte[HashesPerChunk * ArchiveFormat.HashLength]);
        }

        sha256.CopyTo(StoredHashSlot(stored));
        // A prefix collision (a different block with the same first 16 bytes) keeps the first; the second is stored.
        _storedByHashPrefix.TryAdd(Prefix(sha256), stored);
        Grow(ArchiveFormat.HashLength);
        Append(blockIndex, BlockRunKind.Sequential, stored);
    }

    public void AddFrame(int storedLength, FrameCodec codec, int blockCount, byte[]? sha256)
    {
        _frames.Add((storedLength, codec, blockCount, sha256));
        _dataBytes += storedLength;
        Grow(ArchiveFormat.FrameEntryLength);
    }

    public ArchiveStatistics Statistics(long archiveLength) => new(
        archiveLength, LogicalBytes, _dataBytes, _frames.Count, StoredBlocks, _zeroBlocks, _duplicateBlocks);

    public long Length => _length;

    /// <summary>Writes the index in the order the format lays it out, feeding the same bytes to the digest.</summary>
    public async Task WriteToAsync(Stream output, IncrementalHash digest, CancellationToken cancellationToken)
    {
        using var chunk = new IndexChunkWriter(output, digest);
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.Reserve(4), (uint)_frames.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.Reserve(4), (uint)StoredBlocks);
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.Reserve(4), (uint)_snapshots.Count);
        foreach (var (storedLength, codec, blockCount, sha256) in _frames)
        {
            var entry = chunk.Reserve(ArchiveFormat.FrameEntryLength);
            entry.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(entry, (uint)storedLength);
            entry[4] = (byte)codec;
            entry[5] = (byte)blockCount;
            sha256?.CopyTo(entry[8..]);
            await chunk.FlushIfFullAsync(cancellationToken);
        }

        for (var stored = 0; stored < StoredBlocks; stored++)
        {
            StoredHash(stored).CopyTo(chunk.Reserve(ArchiveFormat.HashLength));
            await chunk.FlushIfFullAsync(cancellationToken);
        }

        foreach (var runs in _snapshots)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(chunk.Reserve(4), (uint)runs.Count);
            await chunk.FlushIfFullAsync(cancellationToken);
            foreach (var run in runs)
            {
                run.Write(chunk.Reserve(ArchiveFormat.RunLength));
                await chunk.FlushIfFullAsync(cancellationToken);
            }
        }

        await chunk.FlushAsync(cancellationToken);
    }

    private void Append(long blockIndex, BlockRunKind kind, int stored)
    {
        _logicalBlocks++;
        var runs = _snapshots[^1];
        if (runs.Count > 0 && runs[^1].End == blockIndex && TryExtend(runs[^1], kind, (uint)stored) is { } extended)
        {
            runs[^1] = extended;
            return;
        }

        runs.Add(new BlockRun((uint)blockIndex, 1, kind, (uint)stored));
        Grow(ArchiveFormat.RunLength);
    }

    private static BlockRun? TryExtend(BlockRun last, BlockRunKind kind, uint stored) => (last.Kind, kind) switch
    {
        (BlockRunKind.Zero, BlockRunKind.Zero) => last with { Length = last.Length + 1 },
        (BlockRunKind.Sequential, BlockRunKind.Sequential) when last.StoredBlock + last.Length == stored =>
            last with { Length = last.Length + 1 },
        (BlockRunKind.Sequential, BlockRunKind.Sequential) when last.Length == 1 && last.StoredBlock == stored =>
            last with { Length = 2, Kind = BlockRunKind.Repeated },
        (BlockRunKind.Repeated, BlockRunKind.Sequential) when last.StoredBlock == stored => last with { Length = last.Length + 1 },
        _ => null,
    };

    private void Grow(int bytes)
    {
        _length += bytes;
        if (_length > ArchiveFormat.MaxIndexLength)
        {
            throw new ArchiveFormatException(
                ArchiveProblem.LimitExceeded,
                $"The image is too large for one archive: its index would exceed {ArchiveFormat.MaxIndexLength >> 20} MiB "
                + $"({StoredBlocks} distinct blocks so far).");
        }
    }

    private Span<byte> StoredHashSlot(int stored) =>
        _hashChunks[stored / HashesPerChunk].AsSpan(stored % HashesPerChunk * ArchiveFormat.HashLength, ArchiveFormat.HashLength);

    private ReadOnlySpan<byte> StoredHash(int stored) => StoredHashSlot(stored);

    private static UInt128 Prefix(ReadOnlySpan<byte> sha256) => MemoryMarshal.Read<UInt128>(sha256);
}
