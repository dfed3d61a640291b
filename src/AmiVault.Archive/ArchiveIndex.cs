using System.Buffers.Binary;

namespace AmiVault.Archive;

/// <summary>
/// The reader's side of the index, parsed from untrusted bytes: every count is checked against the bytes that are
/// really there before anything is allocated from it, every offset and reference against what it points into.
/// Entries stay in the index bytes and are decoded on demand; only two small arrays per frame are built.
/// </summary>
internal sealed class ArchiveIndex
{
    private readonly byte[] _bytes;
    private readonly long[] _frameOffsets;
    private readonly int[] _frameFirstBlocks;
    private readonly int _hashesStart;
    private readonly int[] _snapshotRunsStart;
    private readonly int[] _snapshotRunCounts;

    private ArchiveIndex(
        byte[] bytes, long[] frameOffsets, int[] frameFirstBlocks, int hashesStart, int[] snapshotRunsStart, int[] snapshotRunCounts)
    {
        _bytes = bytes;
        _frameOffsets = frameOffsets;
        _frameFirstBlocks = frameFirstBlocks;
        _hashesStart = hashesStart;
        _snapshotRunsStart = snapshotRunsStart;
        _snapshotRunCounts = snapshotRunCounts;
    }

    public int FrameCount => _frameOffsets.Length - 1;

    public int StoredBlockCount => _frameFirstBlocks[^1];

    public long ZeroBlocks { get; private init; }

    public long ListedBlocks { get; private init; }

    public ArchiveFrame Frame(int number)
    {
        var entry = _bytes.AsSpan(FrameEntryStart(number));
        return new ArchiveFrame(
            number,
            _frameOffsets[number],
            (int)(_frameOffsets[number + 1] - _frameOffsets[number]),
            (FrameCodec)entry[4],
            entry[5],
            _frameFirstBlocks[number]);
    }

    public ReadOnlySpan<byte> FrameHash(int number) => _bytes.AsSpan(FrameEntryStart(number) + 8, ArchiveFormat.HashLength);

    public ReadOnlyMemory<byte> BlockHash(int storedBlock) =>
        _bytes.AsMemory(_hashesStart + storedBlock * ArchiveFormat.HashLength, ArchiveFormat.HashLength);

    public int FrameOf(int storedBlock)
    {
        var found = Array.BinarySearch(_frameFirstBlocks, storedBlock);
        // Frames hold at least one block, so first-block numbers are distinct and an exact hit is the frame itself.
        return found >= 0 ? found : ~found - 1;
    }

    public IEnumerable<BlockRun> Runs(int snapshot)
    {
        for (var i = 0; i < _snapshotRunCounts[snapshot]; i++)
        {
            yield return BlockRun.Read(_bytes.AsSpan(_snapshotRunsStart[snapshot] + i * ArchiveFormat.RunLength));
        }
    }

    /// <summary>Parses and checks the whole index against the data region and the manifest's snapshots.</summary>
    public static ArchiveIndex Parse(byte[] bytes, long dataOffset, long indexOffset, int blockSize, IReadOnlyList<ArchivedSnapshot> snapshots)
    {
        var reader = new IndexReader(bytes);
        var frameCount = reader.UInt32();
        var storedBlockCount = reader.UInt32();
        var snapshotCount = reader.UInt32();
        if (snapshotCount != snapshots.Count)
        {
            throw Malformed($"it lists {snapshotCount} snapshots; the manifest lists {snapshots.Count}");
        }

        if (frameCount > storedBlockCount
            || ArchiveFormat.IndexHeaderLength + (frameCount * ArchiveFormat.FrameEntryLength) + (storedBlockCount * ArchiveFormat.HashLength)
                + (snapshotCount * ArchiveFormat.SnapshotHeaderLength) > bytes.Length)
        {
            throw Malformed($"its {frameCount} frames and {storedBlockCount} blocks do not fit in its {bytes.Length} bytes");
        }

        var frameOffsets = new long[frameCount + 1];
        var frameFirstBlocks = new int[frameCount + 1];
        var offset = dataOffset;
        var firstBlock = 0L;
        for (var f = 0; f < frameCount; f++)
        {
            var entry = reader.Take(ArchiveFormat.FrameEntryLength);
            var storedLength = BinaryPrimitives.ReadUInt32LittleEndian(entry);
            var codec = (FrameCodec)entry[4];
            var blockCount = entry[5];
            var rawLength = blockCount * blockSize;
            var valid = blockCount is >= 1 and <= ArchiveFormat.MaxBlocksPerFrame && BinaryPrimitives.ReadUInt16LittleEndian(entry[6..]) == 0
                && codec switch
                {
                    FrameCodec.Raw => storedLength == rawLength && !entry[8..].ContainsAnyExcept((byte)0),
                    FrameCodec.Zstd => storedLength >= 1 && storedLength <= ArchiveFormat.MaxStoredFrameLength(rawLength),
                    _ => false,
                };
            if (!valid)
            {
                throw Malformed($"frame {f} has codec {(byte)codec}, {blockCount} blocks and {storedLength} bytes");
            }

            frameOffsets[f] = offset;
            frameFirstBlocks[f] = (int)firstBlock;
            offset += storedLength;
            firstBlock += blockCount;
        }

        frameOffsets[frameCount] = offset;
        frameFirstBlocks[frameCount] = (int)firstBlock;
        if (offset != indexOffset || firstBlock != storedBlockCount)
        {
            throw Malformed($"its frames cover {offset - dataOffset} bytes and {firstBlock} blocks; the archive has "
                + $"{indexOffset - dataOffset} bytes of frames and the index {storedBlockCount} block hashes");
        }

        var hashesStart = reader.Position;
        reader.Take(checked((int)(storedBlockCount * ArchiveFormat.HashLength)));

        // How many runs reference each stored block, as a difference array: O(runs + blocks) whatever the run lengths.
        var references = new int[storedBlockCount + 1];
        var runsStart = new int[snapshotCount];
        var runCounts = new int[snapshotCount];
        long zeroBlocks = 0, listedBlocks = 0;
        for (var s = 0; s < snapshotCount; s++)
        {
            var snapshot = snapshots[s];
            var runCount = reader.UInt32();
            if (runCount * ArchiveFormat.RunLength > bytes.Length - reader.Position)
            {
                throw Malformed($"snapshot {snapshot.SnapshotId} has {runCount} runs, more than its bytes hold");
            }

            runsStart[s] = reader.Position;
            runCounts[s] = (int)runCount;
            var volumeBlocks = ArchiveFormat.VolumeBlocks(snapshot.VolumeSizeGib, blockSize);
            long previousEnd = 0, snapshotBlocks = 0;
            for (var r = 0; r < runCount; r++)
            {
                var run = BlockRun.Read(reader.Take(ArchiveFormat.RunLength));
                var target = run.Kind switch
                {
                    BlockRunKind.Zero when run.StoredBlock == 0 => (Start: 0L, End: 0L),
                    BlockRunKind.Sequential => (Start: run.StoredBlock, End: (long)run.StoredBlock + run.Length),
                    BlockRunKind.Repeated => (Start: run.StoredBlock, End: run.StoredBlock + 1L),
                    _ => (Start: -1L, End: -1L),
                };
                if (run.Length == 0 || run.FirstBlockIndex < previousEnd || run.End > volumeBlocks || target.Start < 0 || target.End > storedBlockCount)
                {
                    throw Malformed($"run {r} of snapshot {snapshot.SnapshotId} ({run}) is out of order, out of the volume or out of the stored blocks");
                }

                references[target.Start]++;
                references[target.End]--;
                previousEnd = run.End;
                snapshotBlocks += run.Length;
                zeroBlocks += run.Kind == BlockRunKind.Zero ? run.Length : 0;
            }

            if (snapshotBlocks != snapshot.BlockCount)
            {
                throw Malformed($"snapshot {snapshot.SnapshotId} lists {snapshotBlocks} blocks; the manifest says {snapshot.BlockCount}");
            }

            listedBlocks += snapshotBlocks;
        }

        if (reader.Position != bytes.Length)
        {
            throw Malformed($"{bytes.Length - reader.Position} bytes follow its last entry");
        }

        // Every stored byte must be read by some restore; otherwise a corrupt unused block would pass unnoticed.
        var covering = 0;
        for (var b = 0; b < storedBlockCount; b++)
        {
            covering += references[b];
            if (covering <= 0)
            {
                throw Malformed($"stored block {b} is not used by any snapshot");
            }
        }

        return new ArchiveIndex(bytes, frameOffsets, frameFirstBlocks, hashesStart, runsStart, runCounts)
        {
            ZeroBlocks = zeroBlocks,
            ListedBlocks = listedBlocks,
        };
    }

    private static int FrameEntryStart(int number) => ArchiveFormat.IndexHeaderLength + number * ArchiveFormat.FrameEntryLength;

    private static ArchiveFormatException Malformed(string problem) =>
        new(ArchiveProblem.Malformed, $"The archive's index is not valid: {problem}.");

    /// <summary>Sequential little-endian reads that fail as a malformed index, never past the end.</summary>
    private ref struct IndexReader(byte[] bytes)
    {
        public int Position { get; private set; }

        public long UInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

        public ReadOnlySpan<byte> Take(int length)
        {
            if (length > bytes.Length - Position)
            {
                throw Malformed($"it ends within an entry at byte {Position}");
            }

            var span = bytes.AsSpan(Position, length);
            Position += length;
            return span;
        }
    }
}
