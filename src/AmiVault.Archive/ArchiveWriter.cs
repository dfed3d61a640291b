using System.Buffers;
using System.Numerics;
using System.Security.Cryptography;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace AmiVault.Archive;

/// <summary>
/// Writes an archive as one forward stream: header and manifest, then frames as they are compressed, then the index
/// and the trailer. The caller hands over each snapshot's written blocks in index order; blocks are hashed and frames
/// compressed on the thread pool, and output keeps their order. Memory is bounded: a fixed number of blocks and
/// frames are in flight, and the caller's own calls wait when they are all busy.
/// </summary>
/// <remarks>Not thread-safe: one caller, one call at a time (each call awaited before the next).</remarks>
public sealed class ArchiveWriter : IAsyncDisposable
{
    private static readonly Task<byte[]?> ZeroBlockHash = Task.FromResult<byte[]?>(null);

    private readonly Stream _output;
    private readonly ArchiveManifest _manifest;
    private readonly ArchiveWriterOptions _options;
    private readonly int _blockSize;
    private readonly ArchiveIndexBuilder _index;
    private readonly IncrementalHash _digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly Pool<Compressor> _compressors;
    private readonly Queue<PendingBlock> _pendingBlocks = new();
    private readonly Queue<Task<EncodedFrame>> _pendingFrames = new();
    private readonly List<byte[]> _openFrame = [];
    private int _snapshot = -1;
    private long _snapshotBlocks;
    private long _lastBlockIndex;
    private long _written;
    private bool _completed;
    private bool _failed;

    private ArchiveWriter(Stream output, ArchiveManifest manifest, ArchiveWriterOptions options)
    {
        _output = output;
        _manifest = manifest;
        _options = options;
        _blockSize = options.BlockSize;
        _index = new ArchiveIndexBuilder(_blockSize);
        _compressors = new Pool<Compressor>(() =>
        {
            var compressor = new Compressor(options.CompressionLevel);
            // The index holds a SHA-256 of every frame and block; zstd's own checksum would be a second, weaker one.
            compressor.SetParameter(ZSTD_cParameter.ZSTD_c_checksumFlag, 0);
            // A window as large as the frame finds repeats anywhere in it; decompression into one flat buffer costs no
            // window memory whatever its size, and zstd shrinks it for smaller frames.
            compressor.SetParameter(ZSTD_cParameter.ZSTD_c_windowLog, Math.Max(10, BitOperations.Log2((uint)(options.BlocksPerFrame * options.BlockSize))));
            return compressor;
        });
    }

    /// <summary>Checks the manifest and writes the header and the manifest.</summary>
    public static async Task<ArchiveWriter> CreateAsync(
        Stream output, ArchiveManifest manifest, ArchiveWriterOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ArchiveWriterOptions();
        if (!ArchiveFormat.IsValidBlockSize(options.BlockSize)
            || options.BlocksPerFrame is < 1 or > ArchiveFormat.MaxBlocksPerFrame
            || options.MaxParallelism < 1)
        {
            throw new ArgumentException("Block size, blocks per frame or parallelism is out of range.", nameof(options));
        }

        if (ArchiveManifestJson.FindProblem(manifest) is { } problem)
        {
            throw new ArgumentException($"The manifest is not valid: {problem}.", nameof(manifest));
        }

        var json = ArchiveManifestJson.Serialize(manifest);
        if (json.Length > ArchiveFormat.MaxManifestLength)
        {
            throw new ArchiveFormatException(
                ArchiveProblem.LimitExceeded, $"The image's metadata takes {json.Length} bytes; an archive holds at most {ArchiveFormat.MaxManifestLength}.");
        }

        var writer = new ArchiveWriter(output, manifest, options);
        var header = new byte[ArchiveFormat.HeaderLength];
        new ArchiveHeader(ArchiveFormat.Version, options.BlockSize, json.Length).Write(header);
        writer._digest.AppendData(header);
        writer._digest.AppendData(json);
        await output.WriteAsync(header, cancellationToken);
        await output.WriteAsync(json, cancellationToken);
        writer._written = header.Length + json.Length;
        return writer;
    }

    /// <summary>Starts the next snapshot of the manifest; <paramref name="snapshotId"/> says which one the caller means.</summary>
    public async Task BeginSnapshotAsync(string snapshotId, CancellationToken cancellationToken = default)
    {
        EnsureUsable();
        EndSnapshot();
        var next = _snapshot + 1;
        if (next >= _manifest.Snapshots.Count || _manifest.Snapshots[next].SnapshotId != snapshotId)
        {
            throw new InvalidOperationException($"Snapshot {snapshotId} is not the next snapshot of the manifest.");
        }

        await RunAsync(async () =>
        {
            // Frames never span snapshots, so a snapshot's restore reads only its own frames and those it shares.
            await PumpAsync(drainBlocks: true, drainFrames: false, cancellationToken);
            FlushOpenFrame();
        });
        _index.BeginSnapshot();
        _snapshot = next;
        _snapshotBlocks = 0;
        _lastBlockIndex = -1;
    }

    /// <summary>
    /// Adds a written block of the current snapshot (indices strictly increasing). The data is copied before the
    /// returned task completes; an all-zero block is recognised and listed without being stored.
    /// </summary>
    /// <param name="knownSha256">
    /// The block's SHA-256 when the caller already has it (a content-addressed block store does): it is trusted, which
    /// saves hashing every block. Data that does not match it is stored as it is, and restore refuses the block.
    /// </param>
    public ValueTask WriteBlockAsync(
        long blockIndex, ReadOnlyMemory<byte> data, ReadOnlyMemory<byte> knownSha256 = default, CancellationToken cancellationToken = default)
    {
        if (data.Length != _blockSize || knownSha256.Length is not (0 or ArchiveFormat.HashLength))
        {
            throw new ArgumentException($"A block is {_blockSize} bytes (not {data.Length}) and its SHA-256 32 bytes (not {knownSha256.Length}).");
        }

        // Checked here, before any copy: a zero block costs a scan and no buffer; data stops the scan at once.
        if (!data.Span.ContainsAnyExcept((byte)0))
        {
            return WriteZeroBlockAsync(blockIndex, cancellationToken);
        }

        AcceptBlockIndex(blockIndex);
        var buffer = ArchiveBuffers.Rent(_blockSize);
        data.CopyTo(buffer);
        var sha256 = knownSha256.IsEmpty
            ? Task.Run(() => (byte[]?)SHA256.HashData(buffer.AsSpan(0, _blockSize)))
            : Task.FromResult<byte[]?>(knownSha256.ToArray());
        _pendingBlocks.Enqueue(new PendingBlock(blockIndex, buffer, sha256));
        return new ValueTask(RunAsync(() => PumpAsync(drainBlocks: false, drainFrames: false, cancellationToken)));
    }

    /// <summary>Adds a written block that is all zeros, without its data (the caller may know it from its hash).</summary>
    public ValueTask WriteZeroBlockAsync(long blockIndex, CancellationToken cancellationToken = default)
    {
        AcceptBlockIndex(blockIndex);
        _pendingBlocks.Enqueue(new PendingBlock(blockIndex, null, ZeroBlockHash));
        return new ValueTask(RunAsync(() => PumpAsync(drainBlocks: false, drainFrames: false, cancellationToken)));
    }

    /// <summary>Writes the remaining frames, the index and the trailer, and flushes the output.</summary>
    public async Task<ArchiveStatistics> CompleteAsync(CancellationToken cancellationToken = default)
    {
        EnsureUsable();
        EndSnapshot();
        if (_snapshot != _manifest.Snapshots.Count - 1)
        {
            throw new InvalidOperationException($"Only {_snapshot + 1} of the manifest's {_manifest.Snapshots.Count} snapshots were written.");
        }

        await RunAsync(async () =>
        {
            await PumpAsync(drainBlocks: true, drainFrames: false, cancellationToken);
            FlushOpenFrame();
            await PumpAsync(drainBlocks: true, drainFrames: true, cancellationToken);

            var indexOffset = _written;
            await _index.WriteToAsync(_output, _digest, cancellationToken);
            var trailer = new byte[ArchiveFormat.TrailerLength];
            ArchiveTrailer.WriteOffsets(trailer, indexOffset, _index.Length);
            _digest.AppendData(trailer, 0, ArchiveTrailer.DigestedLength);
            ArchiveTrailer.WriteDigestAndMagic(trailer, _digest.GetHashAndReset());
            await _output.WriteAsync(trailer, cancellationToken);
            await _output.FlushAsync(cancellationToken);
            _written += _index.Length + trailer.Length;
        });
        _completed = true;
        Report();
        return _index.Statistics(_written);
    }

    public async ValueTask DisposeAsync()
    {
        // Work still in flight (after a failure or cancellation) must finish before its buffers go back to the pool.
        while (_pendingBlocks.TryDequeue(out var block))
        {
            await block.Sha256.ContinueWith(_ => { }, TaskScheduler.Default);
            ReturnBuffer(block.Buffer);
        }

        while (_pendingFrames.TryDequeue(out var frame))
        {
            await frame.ContinueWith(_ => { }, TaskScheduler.Default);
            if (frame.IsCompletedSuccessfully)
            {
                ArchiveBuffers.Return(frame.Result.Buffer);
            }
        }

        _openFrame.ForEach(ReturnBuffer);
        _openFrame.Clear();
        _compressors.Dispose();
        _digest.Dispose();
    }

    private void AcceptBlockIndex(long blockIndex)
    {
        EnsureUsable();
        if (_snapshot < 0)
        {
            throw new InvalidOperationException("No snapshot was begun.");
        }

        var snapshot = _manifest.Snapshots[_snapshot];
        if (blockIndex <= _lastBlockIndex || blockIndex >= ArchiveFormat.VolumeBlocks(snapshot.VolumeSizeGib, _blockSize) || blockIndex > uint.MaxValue)
        {
            throw new ArgumentOutOfRangeException(
                nameof(blockIndex), blockIndex, $"Blocks come in increasing index order, within the {snapshot.VolumeSizeGib} GiB volume.");
        }

        if (_snapshotBlocks == snapshot.BlockCount)
        {
            throw new InvalidOperationException($"Snapshot {snapshot.SnapshotId} has more blocks than the {snapshot.BlockCount} its manifest entry says.");
        }

        _lastBlockIndex = blockIndex;
        _snapshotBlocks++;
    }

    private void EndSnapshot()
    {
        if (_snapshot >= 0 && _snapshotBlocks != _manifest.Snapshots[_snapshot].BlockCount)
        {
            var snapshot = _manifest.Snapshots[_snapshot];
            throw new InvalidOperationException($"Snapshot {snapshot.SnapshotId} got {_snapshotBlocks} blocks; its manifest entry says {snapshot.BlockCount}.");
        }
    }

    /// <summary>
    /// Moves finished work forward in order: places hashed blocks (zero, repeat or new) and writes compressed frames.
    /// Waits only when a queue is over its bound, or when asked to drain it.
    /// </summary>
    private async Task PumpAsync(bool drainBlocks, bool drainFrames, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var maxPendingBlocks = 2 * _options.MaxParallelism;
        var maxPendingFrames = _options.MaxParallelism;
        while (true)
        {
            if (_pendingBlocks.TryPeek(out var block)
                && (drainBlocks || block.Sha256.IsCompleted || _pendingBlocks.Count > maxPendingBlocks))
            {
                var sha256 = await block.Sha256.WaitAsync(cancellationToken);
                _pendingBlocks.Dequeue();
                Place(block, sha256);
            }
            else if (_pendingFrames.TryPeek(out var frame)
                && (drainFrames || frame.IsCompleted || _pendingFrames.Count >= maxPendingFrames))
            {
                var encoded = await frame.WaitAsync(cancellationToken);
                _ = _pendingFrames.Dequeue();
                try
                {
                    await _output.WriteAsync(encoded.Buffer.AsMemory(0, encoded.Length), cancellationToken);
                }
                finally
                {
                    ArchiveBuffers.Return(encoded.Buffer);
                }

                _index.AddFrame(encoded.Length, encoded.Codec, encoded.BlockCount, encoded.Sha256);
                _written += encoded.Length;
                Report();
            }
            else
            {
                return;
            }
        }
    }

    private void Place(PendingBlock block, byte[]? sha256)
    {
        if (sha256 is null)
        {
            _index.AddZero(block.BlockIndex);
            ReturnBuffer(block.Buffer);
        }
        else if (_index.TryAddDuplicate(block.BlockIndex, sha256))
        {
            ReturnBuffer(block.Buffer);
        }
        else
        {
            _index.AddStored(block.BlockIndex, sha256);
            _openFrame.Add(block.Buffer!);
            if (_openFrame.Count == _options.BlocksPerFrame)
            {
                FlushOpenFrame();
            }
        }

        Report();
    }

    private void FlushOpenFrame()
    {
        if (_openFrame.Count == 0)
        {
            return;
        }

        var blocks = _openFrame.ToArray();
        _openFrame.Clear();
        _pendingFrames.Enqueue(Task.Run(() => Encode(blocks)));
    }

    /// <summary>
    /// Compresses the blocks into one zstd frame, or keeps them raw when zstd saves under 1/128 of their size
    /// (random or already compressed data): a raw frame costs nothing to restore.
    /// </summary>
    private EncodedFrame Encode(byte[][] blocks)
    {
        var rawLength = blocks.Length * _blockSize;
        var raw = ArchiveBuffers.Rent(_options.BlocksPerFrame * _blockSize);
        for (var i = 0; i < blocks.Length; i++)
        {
            blocks[i].AsSpan(0, _blockSize).CopyTo(raw.AsSpan(i * _blockSize));
            ReturnBuffer(blocks[i]);
        }

        // Output that would not save enough does not fit, and zstd gives up: no bound-sized buffer needed.
        var compressed = ArchiveBuffers.Rent(_options.BlocksPerFrame * _blockSize);
        var compressor = _compressors.Rent();
        var length = 0;
        try
        {
            if (LooksCompressible(compressor, raw, blocks.Length, compressed)
                && compressor.TryWrap(raw.AsSpan(0, rawLength), compressed.AsSpan(0, rawLength - rawLength / 128), out length))
            {
                ArchiveBuffers.Return(raw);
                return new EncodedFrame(FrameCodec.Zstd, compressed, length, blocks.Length, SHA256.HashData(compressed.AsSpan(0, length)));
            }
        }
        finally
        {
            _compressors.Return(compressor);
        }

        ArchiveBuffers.Return(compressed);
        return new EncodedFrame(FrameCodec.Raw, raw, rawLength, blocks.Length, null);
    }

    /// <summary>
    /// Compresses a sample first: four 2 KiB pieces spread over every block (1/64 of the frame). When even that does
    /// not shrink at all, the frame is random or already compressed, and compressing all of it would be wasted work.
    /// Sampling every block, not just the first, keeps a partly compressible frame from being taken for random.
    /// </summary>
    private bool LooksCompressible(Compressor compressor, byte[] raw, int blockCount, byte[] scratch)
    {
        const int Pieces = 4;
        var pieceLength = Math.Min(2048, _blockSize / 16);
        var sampleLength = Pieces * pieceLength;
        var sample = ArrayPool<byte>.Shared.Rent(blockCount * sampleLength);
        try
        {
            for (var i = 0; i < blockCount * Pieces; i++)
            {
                raw.AsSpan(i * (_blockSize / Pieces), pieceLength).CopyTo(sample.AsSpan(i * pieceLength));
            }

            var total = blockCount * sampleLength;
            return compressor.TryWrap(sample.AsSpan(0, total), scratch.AsSpan(0, total - 1), out _);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(sample);
        }
    }

    private void Report() => _options.Progress?.Report(new ArchiveWriteProgress(_index.LogicalBytes, _written));

    private void EnsureUsable()
    {
        if (_failed || _completed)
        {
            throw new InvalidOperationException(_failed ? "The archive writer failed earlier; the archive is incomplete." : "The archive is already complete.");
        }
    }

    /// <summary>Any failure leaves the output incomplete, so the writer refuses further calls after one.</summary>
    private async Task RunAsync(Func<Task> step)
    {
        EnsureUsable();
        try
        {
            await step();
        }
        catch
        {
            _failed = true;
            throw;
        }
    }

    private static void ReturnBuffer(byte[]? buffer)
    {
        if (buffer is not null)
        {
            ArchiveBuffers.Return(buffer);
        }
    }

    /// <summary>A block waiting for its SHA-256; zero blocks have neither buffer nor hash.</summary>
    private sealed record PendingBlock(long BlockIndex, byte[]? Buffer, Task<byte[]?> Sha256);

    private sealed record EncodedFrame(FrameCodec Codec, byte[] Buffer, int Length, int BlockCount, byte[]? Sha256);
}
