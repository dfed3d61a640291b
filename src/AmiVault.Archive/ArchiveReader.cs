using System.Security.Cryptography;

namespace AmiVault.Archive;

/// <summary>
/// Reads an archive from an untrusted source. Opening reads the header, the trailer, the manifest and the index
/// (all bounded), checks the archive digest over them and every count and offset in them; restoring and verifying
/// then check every frame and block they read against its SHA-256. Bad bytes surface only as
/// <see cref="ArchiveFormatException"/>. An opened reader is immutable and can serve concurrent calls.
/// </summary>
public sealed class ArchiveReader
{
    /// <summary>Stored-run pieces restored per batch: bounds the memory of a restore plan (about 1.5 MiB).</summary>
    private const int PiecesPerBatch = 1 << 16;

    private readonly IArchiveSource _source;
    private readonly ArchiveIndex _index;
    private readonly byte[] _zeroBlock;
    private readonly byte[] _zeroBlockHash;

    private ArchiveReader(IArchiveSource source, ArchiveHeader header, ArchiveManifest manifest, ArchiveIndex index, long dataLength, ReadOnlyMemory<byte> digest)
    {
        _source = source;
        Digest = Convert.ToHexStringLower(digest.Span);
        _index = index;
        Version = header.Version;
        BlockSize = header.BlockSize;
        Manifest = manifest;
        _zeroBlock = new byte[BlockSize];
        _zeroBlockHash = SHA256.HashData(_zeroBlock);
        Statistics = new ArchiveStatistics(
            source.Length,
            index.ListedBlocks * BlockSize,
            dataLength,
            index.FrameCount,
            index.StoredBlockCount,
            index.ZeroBlocks,
            index.ListedBlocks - index.ZeroBlocks - index.StoredBlockCount);
    }

    public int Version { get; }

    public int BlockSize { get; }

    public ArchiveManifest Manifest { get; }

    public ArchiveStatistics Statistics { get; }

    /// <summary>The archive digest from the trailer (hex), checked on open: two archives with the same digest hold the same image.</summary>
    public string Digest { get; }

    public static async Task<ArchiveReader> OpenAsync(IArchiveSource source, CancellationToken cancellationToken = default)
    {
        try
        {
            return await OpenOnceAsync(source, cancellationToken);
        }
        catch (ArchiveFormatException)
        {
            // Read it all once more before judging: a bit flipped or a body cut short on the way (a network, a
            // proxy) is not damage at rest. The same archive failing twice is what it says it is.
            return await OpenOnceAsync(source, cancellationToken);
        }
    }

    private static async Task<ArchiveReader> OpenOnceAsync(IArchiveSource source, CancellationToken cancellationToken)
    {
        var length = source.Length;
        var minimum = ArchiveFormat.HeaderLength + ArchiveFormat.TrailerLength + ArchiveFormat.IndexHeaderLength;
        if (length < minimum)
        {
            var start = new byte[Math.Min(length, ArchiveFormat.HeaderMagic.Length)];
            await ReadAsync(source, 0, start, cancellationToken);
            throw length > 0 && ArchiveFormat.HeaderMagic.StartsWith(start)
                ? new ArchiveFormatException(ArchiveProblem.Truncated, $"The archive is truncated: it is {length} bytes, less than the {minimum} of an empty archive.")
                : new ArchiveFormatException(ArchiveProblem.NotAnArchive, $"The object is not an AmiVault image archive ({length} bytes).");
        }

        var headerBytes = new byte[ArchiveFormat.HeaderLength];
        await ReadAsync(source, 0, headerBytes, cancellationToken);
        var header = ArchiveHeader.Parse(headerBytes);
        var dataOffset = (long)ArchiveFormat.HeaderLength + header.ManifestLength;
        if (dataOffset + ArchiveFormat.IndexHeaderLength + ArchiveFormat.TrailerLength > length)
        {
            throw new ArchiveFormatException(ArchiveProblem.Truncated, $"The archive is truncated: its {header.ManifestLength}-byte manifest does not fit in its {length} bytes.");
        }

        var trailerBytes = new byte[ArchiveFormat.TrailerLength];
        await ReadAsync(source, length - ArchiveFormat.TrailerLength, trailerBytes, cancellationToken);
        var trailer = ArchiveTrailer.Parse(trailerBytes);
        var indexEnd = length - ArchiveFormat.TrailerLength;
        if (trailer.IndexOffset < dataOffset || trailer.IndexOffset > indexEnd || trailer.IndexLength != indexEnd - trailer.IndexOffset
            || trailer.IndexLength < ArchiveFormat.IndexHeaderLength)
        {
            throw new ArchiveFormatException(
                ArchiveProblem.Malformed,
                $"The archive's trailer places the index at offset {trailer.IndexOffset} ({trailer.IndexLength} bytes), outside bytes {dataOffset} to {indexEnd}.");
        }

        if (trailer.IndexLength > ArchiveFormat.MaxIndexLength)
        {
            throw new ArchiveFormatException(
                ArchiveProblem.LimitExceeded, $"The archive's index is {trailer.IndexLength} bytes; at most {ArchiveFormat.MaxIndexLength} are accepted.");
        }

        var manifestBytes = new byte[header.ManifestLength];
        await ReadAsync(source, ArchiveFormat.HeaderLength, manifestBytes, cancellationToken);
        var indexBytes = new byte[trailer.IndexLength];
        await ReadAsync(source, trailer.IndexOffset, indexBytes, cancellationToken);

        using (var digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            digest.AppendData(headerBytes);
            digest.AppendData(manifestBytes);
            digest.AppendData(indexBytes);
            digest.AppendData(trailerBytes, 0, ArchiveTrailer.DigestedLength);
            if (!digest.GetHashAndReset().AsSpan().SequenceEqual(trailer.Digest.Span))
            {
                throw new ArchiveFormatException(
                    ArchiveProblem.DigestMismatch,
                    "The archive is corrupt: its header, manifest or index does not match the archive digest in its trailer.");
            }
        }

        var manifest = ArchiveManifestJson.Deserialize(manifestBytes);
        var index = ArchiveIndex.Parse(indexBytes, dataOffset, trailer.IndexOffset, header.BlockSize, manifest.Snapshots);
        return new ArchiveReader(source, header, manifest, index, trailer.IndexOffset - dataOffset, trailer.Digest);
    }

    /// <summary>Opens the archive and checks all of it (digest, every frame, every block), without restoring.</summary>
    /// <remarks>Failures of the source itself (network, permissions) are thrown, not judged.</remarks>
    public static async Task<ArchiveVerdict> VerifyAsync(
        IArchiveSource source, ArchiveReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        try
        {
            var reader = await OpenAsync(source, cancellationToken);
            using var frames = new FrameReader(source, reader._index, reader.BlockSize, options ?? new ArchiveReadOptions());
            await frames.ForEachFrameAsync(frames.Plan(Enumerable.Range(0, reader._index.FrameCount)), (frame, _) =>
            {
                for (var slot = 0; slot < frame.Frame.BlockCount; slot++)
                {
                    frame.Block(slot);
                }

                return ValueTask.CompletedTask;
            }, cancellationToken);
            return ArchiveVerdict.Intact(reader.Statistics);
        }
        catch (ArchiveFormatException e)
        {
            return ArchiveVerdict.Refused(e);
        }
    }

    /// <summary>The blocks snapshot <paramref name="snapshot"/> (its position in the manifest) lists, in index order.</summary>
    public IEnumerable<ArchivedBlock> ListBlocks(int snapshot)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(snapshot);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(snapshot, Manifest.Snapshots.Count);
        return ListBlocksOf(snapshot);
    }

    private IEnumerable<ArchivedBlock> ListBlocksOf(int snapshot)
    {
        foreach (var run in _index.Runs(snapshot))
        {
            for (var i = 0u; i < run.Length; i++)
            {
                yield return run.Kind == BlockRunKind.Zero
                    ? new ArchivedBlock((long)run.FirstBlockIndex + i, _zeroBlockHash, true)
                    : new ArchivedBlock((long)run.FirstBlockIndex + i, _index.BlockHash((int)run.StoredBlockAt(i)), false);
            }
        }
    }

    /// <summary>
    /// Reads, checks and hands over every block of snapshot <paramref name="snapshot"/>: zero blocks first, then the
    /// stored ones grouped by frame with parallel ranged reads. <paramref name="onBlock"/> is called concurrently
    /// (up to <see cref="ArchiveReadOptions.MaxParallelReads"/> at once) and in no particular order. A corrupt frame
    /// or block stops the restore with an <see cref="ArchiveFormatException"/>, possibly after other blocks were
    /// handed over.
    /// </summary>
    public async Task RestoreSnapshotAsync(
        int snapshot,
        Func<RestoredBlock, CancellationToken, ValueTask> onBlock,
        ArchiveReadOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(snapshot);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(snapshot, Manifest.Snapshots.Count);
        options ??= new ArchiveReadOptions();
        foreach (var run in _index.Runs(snapshot).Where(r => r.Kind == BlockRunKind.Zero))
        {
            for (var i = 0u; i < run.Length; i++)
            {
                await onBlock(new RestoredBlock((long)run.FirstBlockIndex + i, _zeroBlock, _zeroBlockHash, true), cancellationToken);
            }
        }

        using var frames = new FrameReader(_source, _index, BlockSize, options);
        var pieces = new List<RestorePiece>();
        foreach (var run in _index.Runs(snapshot).Where(r => r.Kind != BlockRunKind.Zero))
        {
            AddPieces(run, pieces);
            if (pieces.Count >= PiecesPerBatch)
            {
                await RestorePiecesAsync(frames, pieces, onBlock, cancellationToken);
                pieces.Clear();
            }
        }

        await RestorePiecesAsync(frames, pieces, onBlock, cancellationToken);
    }

    /// <summary>Reads exactly, turning an object that ends early into the archive problem it is.</summary>
    internal static async ValueTask ReadAsync(IArchiveSource source, long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            await source.ReadAsync(offset, buffer, cancellationToken);
        }
        catch (EndOfStreamException)
        {
            throw new ArchiveFormatException(
                ArchiveProblem.Truncated, $"The archive is truncated: it ends before byte {offset + buffer.Length} (it was {source.Length} bytes when opened).");
        }
    }

    /// <summary>Splits a run of stored blocks where it crosses from one frame to the next.</summary>
    private void AddPieces(BlockRun run, List<RestorePiece> pieces)
    {
        if (run.Kind == BlockRunKind.Repeated)
        {
            var frame = _index.Frame(_index.FrameOf((int)run.StoredBlock));
            pieces.Add(new RestorePiece(frame.Number, (int)run.StoredBlock - frame.FirstStoredBlock, run.FirstBlockIndex, run.Length, true));
            return;
        }

        var done = 0u;
        while (done < run.Length)
        {
            var stored = (int)(run.StoredBlock + done);
            var frame = _index.Frame(_index.FrameOf(stored));
            var slot = stored - frame.FirstStoredBlock;
            var count = Math.Min(run.Length - done, (uint)(frame.BlockCount - slot));
            pieces.Add(new RestorePiece(frame.Number, slot, (long)run.FirstBlockIndex + done, count, false));
            done += count;
        }
    }

    private async Task RestorePiecesAsync(
        FrameReader frames,
        List<RestorePiece> pieces,
        Func<RestoredBlock, CancellationToken, ValueTask> onBlock,
        CancellationToken cancellationToken)
    {
        pieces.Sort((a, b) => a.Frame.CompareTo(b.Frame));
        var sorted = pieces.ToArray();
        var frameNumbers = sorted.Select(p => p.Frame).Distinct();
        await frames.ForEachFrameAsync(frames.Plan(frameNumbers), async (frame, token) =>
        {
            var first = LowerBound(sorted, frame.Frame.Number);
            for (var p = first; p < sorted.Length && sorted[p].Frame == frame.Frame.Number; p++)
            {
                var piece = sorted[p];
                for (var i = 0L; i < piece.Count; i++)
                {
                    var slot = piece.Repeated ? piece.Slot : piece.Slot + (int)i;
                    var hash = _index.BlockHash(frame.Frame.FirstStoredBlock + slot);
                    await onBlock(new RestoredBlock(piece.FirstBlockIndex + i, frame.Block(slot), hash, false), token);
                }
            }
        }, cancellationToken);
    }

    private static int LowerBound(RestorePiece[] sorted, int frame)
    {
        int low = 0, high = sorted.Length;
        while (low < high)
        {
            var middle = (low + high) / 2;
            (low, high) = sorted[middle].Frame < frame ? (middle + 1, high) : (low, middle);
        }

        return low;
    }
}
