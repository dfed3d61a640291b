using System.Buffers;
using AmiVault.Catalog;
using AmiVault.Ebs;
using AmiVault.IO;
using Microsoft.Extensions.Logging;

namespace AmiVault.Blocks;

/// <summary>
/// Blocks appended to pack files (<see cref="PackFormat"/>) with group commit (<see cref="PackAppender"/>); the block
/// index in the catalog (<see cref="IBlockIndex"/>) maps a block's SHA-256 to its record. A per-hash lock (striped)
/// is held from "is it stored?" to "the snapshot references it", and reclamation takes the same lock, so a block is
/// never reclaimed between being found or written and being referenced. Reclamation only drops index entries;
/// <see cref="CompactAsync"/> gives the space back by removing packs nothing points into and rewriting packs that are
/// mostly dead. Opening the store recovers from a crash (see <see cref="OpenAsync"/>).
/// </summary>
internal sealed class PackBlockStore : IBlockStore, IAsyncDisposable
{
    /// <summary>Enough stripes that 64 writers in flight rarely share one; a stripe is a 1-permit semaphore.</summary>
    private const int LockStripes = 1024;

    /// <summary>Reclamation decides this many candidates per catalog transaction.</summary>
    private const int ReclaimChunk = 512;

    /// <summary>Compaction moves this many records at a time (bounded memory: this many blocks).</summary>
    private const int MoveChunk = 32;

    private readonly LocalPackFiles _files;
    private readonly IBlockIndex _index;
    private readonly BlockCodec _codec;
    private readonly PackAppender _appender;
    private readonly double _compactionThreshold;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim[] _locks = [.. Enumerable.Range(0, LockStripes).Select(_ => new SemaphoreSlim(1, 1))];
    private readonly SemaphoreSlim _compacting = new(1, 1);
    private readonly SemaphoreSlim _reclaimed = new(0, 1);

    private PackBlockStore(LocalPackFiles files, IBlockIndex index, BlockCodec codec, PackAppender appender, double compactionThreshold, ILogger logger)
    {
        _files = files;
        _index = index;
        _codec = codec;
        _appender = appender;
        _compactionThreshold = compactionThreshold;
        _logger = logger;
    }

    public string PacksFolder => _files.Folder;

    /// <summary>
    /// Opens the store under <paramref name="root"/> and recovers from whatever a crash left: index entries no
    /// snapshot references are dropped; pack files the index never knew (their records were never committed) and packs
    /// nothing points into any more are removed; the newest pack's torn tail (records that fail their checksum after
    /// the last one the index points to) is cut, and appending continues there. Then a block folder of the previous
    /// release (one file per block) is moved into packs (<see cref="LegacyBlockFolder"/>).
    /// </summary>
    public static async Task<PackBlockStore> OpenAsync(string root, IBlockIndex index, PackStoreSettings settings, ILogger logger, CancellationToken cancellationToken = default)
    {
        root = Path.GetFullPath(root);
        DurableFile.CreateDirectory(root);
        var files = new LocalPackFiles(Path.Combine(root, "packs"));
        var codec = settings.CompressionLevel > 0 ? new BlockCodec(settings.CompressionLevel) : BlockCodec.Raw;

        await index.SweepUnreferencedAsync(cancellationToken);
        var known = (await index.ListPacksAsync(cancellationToken)).ToDictionary(p => p.PackId);
        var onDisk = files.List();
        foreach (var orphan in onDisk.Where(id => !known.ContainsKey(id)))
        {
            files.Delete(orphan);
        }

        foreach (var empty in known.Values.Where(p => p.LiveBlocks == 0))
        {
            if (await index.RemovePackAsync(empty.PackId, cancellationToken))
            {
                files.Delete(empty.PackId);
                known.Remove(empty.PackId);
            }
        }

        files.FlushFolder();
        foreach (var lost in known.Keys.Where(id => files.Length(id) < 0))
        {
            logger.LogError("Pack {Pack} is missing from {Folder}; reads of its blocks will fail.", lost, files.Folder);
        }

        var nextId = onDisk.Concat(known.Keys).DefaultIfEmpty(0).Max() + 1;
        long? resume = null;
        var resumeLength = 0L;
        if (known.Keys.Where(id => files.Length(id) >= 0).DefaultIfEmpty(-1).Max() is var newest and >= 0 && files.Length(newest) < settings.PackSize)
        {
            var committedEnd = await index.PackEndAsync(newest, cancellationToken);
            if (committedEnd > files.Length(newest))
            {
                // Cut behind our back: appending there would put new records where the index expects old ones.
                logger.LogError("Pack {Pack} is shorter than the block index says ({Length} < {End}); reads of its last blocks will fail.", newest, files.Length(newest), committedEnd);
            }
            else
            {
                resumeLength = await CutTornTailAsync(files, newest, Math.Max(committedEnd, PackFormat.FileHeaderLength), logger, cancellationToken);
                resume = newest;
            }
        }

        var appender = new PackAppender(files, index, settings.PackSize, nextId, resume, resumeLength);
        var store = new PackBlockStore(files, index, codec, appender, settings.CompactionThreshold, logger);
        try
        {
            await LegacyBlockFolder.MigrateAsync(root, store, logger, cancellationToken);
            return store;
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
    }

    public async Task PutAsync(byte[] hash, ReadOnlyMemory<byte> data, Func<Task> recordReference, CancellationToken cancellationToken = default)
    {
        CheckHash(hash);
        if (data.Length != IBlockStore.BlockSize)
        {
            throw new ArgumentException($"A block is {IBlockStore.BlockSize} bytes, not {data.Length}.", nameof(data));
        }

        if (BlockHashes.IsZeroHash(hash))
        {
            // Nothing to keep and nothing reclamation could take away.
            await recordReference();
            return;
        }

        var stripe = StripeOf(hash);
        await stripe.WaitAsync(cancellationToken);
        try
        {
            if (await _index.FindAsync(hash, cancellationToken) is null)
            {
                await StoreAsync(hash, data);
            }

            await recordReference();
        }
        finally
        {
            stripe.Release();
        }
    }

    public async Task ReadAsync(byte[] hash, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        CheckHash(hash);
        if (buffer.Length < IBlockStore.BlockSize)
        {
            throw new ArgumentException($"The buffer must hold {IBlockStore.BlockSize} bytes.", nameof(buffer));
        }

        var block = buffer[..IBlockStore.BlockSize];
        if (BlockHashes.IsZeroHash(hash))
        {
            block.Span.Clear();
            return;
        }

        for (var attempt = 0; ; attempt++)
        {
            var location = await _index.FindAsync(hash, cancellationToken)
                ?? throw new BlockMissingException(BlockHashes.ToHex(hash), "the block index has no location for it");
            try
            {
                await ReadRecordAsync(hash, location, block, cancellationToken);
                return;
            }
            catch (PackGoneException) when (attempt == 0)
            {
                // Compaction moved the block and removed the pack between the look-up and the read: look again.
            }
            catch (PackGoneException e)
            {
                throw new BlockMissingException(BlockHashes.ToHex(hash), e.Message);
            }
        }
    }

    public async Task ReclaimAsync(IEnumerable<byte[]> candidates, CancellationToken cancellationToken = default)
    {
        var removed = 0;
        foreach (var chunk in candidates.Where(h => !BlockHashes.IsZeroHash(CheckHash(h))).Chunk(ReclaimChunk))
        {
            // Stripes in ascending order (a writer holds only one), so two reclamations never wait on each other in a circle.
            var stripes = chunk.Select(StripeIndexOf).Distinct().Order().ToArray();
            var held = 0;
            try
            {
                for (; held < stripes.Length; held++)
                {
                    await _locks[stripes[held]].WaitAsync(cancellationToken);
                }

                removed += await _index.RemoveUnreferencedAsync(chunk, cancellationToken);
            }
            finally
            {
                for (var i = 0; i < held; i++)
                {
                    _locks[stripes[i]].Release();
                }
            }
        }

        if (removed > 0)
        {
            _reclaimed.Release(1 - _reclaimed.CurrentCount);
        }
    }

    /// <summary>Whether this block has stored data (the zero block never has).</summary>
    public async Task<bool> ContainsAsync(byte[] hash) => !BlockHashes.IsZeroHash(hash) && await _index.FindAsync(hash) is not null;

    /// <summary>Completes when a reclamation freed something or <paramref name="timeout"/> passed: when compaction may have work.</summary>
    public Task WaitForReclaimAsync(TimeSpan timeout, CancellationToken cancellationToken) => _reclaimed.WaitAsync(timeout, cancellationToken);

    /// <summary>
    /// Gives space back: removes closed packs nothing points into, and rewrites closed packs whose live share is below
    /// the threshold by appending their live records anew (through the same group commit as writers); the index then
    /// moves each block that is still there, and only once none is left in the old pack is it removed. A crash at any
    /// point leaves each block at its old or its new location, both whole; start-up removes what is left over.
    /// Readers that looked a block up just before it moved look it up again.
    /// </summary>
    public async Task<CompactionResult> CompactAsync(CancellationToken cancellationToken = default)
    {
        await _compacting.WaitAsync(cancellationToken);
        try
        {
            var sealedBelow = await _appender.SealAsync(async id =>
                (await _index.ListPacksAsync(cancellationToken)).FirstOrDefault(p => p.PackId == id) is { LiveBlocks: 0 });
            var removed = 0;
            var rewritten = 0;
            foreach (var pack in await _index.ListPacksAsync(cancellationToken))
            {
                var length = _files.Length(pack.PackId);
                if (pack.PackId >= sealedBelow || length < 0)
                {
                    continue;
                }

                if (pack.LiveBlocks > 0 && pack.LiveBytes < _compactionThreshold * (length - PackFormat.FileHeaderLength))
                {
                    await MoveLiveRecordsAsync(pack.PackId, cancellationToken);
                    rewritten++;
                }

                if (await _index.RemovePackAsync(pack.PackId, cancellationToken))
                {
                    _files.Delete(pack.PackId);
                    removed++;
                }
            }

            if (removed > 0)
            {
                _files.FlushFolder();
            }

            return new CompactionResult(removed, rewritten);
        }
        finally
        {
            _compacting.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _appender.DisposeAsync();
        _files.Dispose();
        if (_codec != BlockCodec.Raw)
        {
            _codec.Dispose();
        }
    }

    /// <summary>
    /// Moves one block file of the previous release's layout into the packs (under the block's lock), then deletes the
    /// file. False when the file is not the block its name says: it is left for the operator, nothing is stored.
    /// </summary>
    internal async Task<bool> AdoptAsync(byte[] hash, string path, CancellationToken cancellationToken)
    {
        var stripe = StripeOf(hash);
        await stripe.WaitAsync(cancellationToken);
        try
        {
            if (await _index.FindAsync(hash, cancellationToken) is null)
            {
                var data = ArrayPool<byte>.Shared.Rent(IBlockStore.BlockSize + 1);
                try
                {
                    int length;
                    await using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
                    {
                        length = await file.ReadAtLeastAsync(data.AsMemory(0, IBlockStore.BlockSize + 1), IBlockStore.BlockSize + 1, throwOnEndOfStream: false, cancellationToken);
                    }

                    var block = data.AsMemory(0, Math.Min(length, IBlockStore.BlockSize));
                    if (length != IBlockStore.BlockSize || !BlockHashes.Compute(block.Span).AsSpan().SequenceEqual(hash))
                    {
                        return false;
                    }

                    await StoreAsync(hash, block);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(data);
                }
            }

            File.Delete(path);
            return true;
        }
        finally
        {
            stripe.Release();
        }
    }

    private async Task StoreAsync(byte[] hash, ReadOnlyMemory<byte> data)
    {
        var compressed = _codec.Compresses ? ArrayPool<byte>.Shared.Rent(IBlockStore.BlockSize) : null;
        try
        {
            var length = compressed is null ? -1 : _codec.TryCompress(data.Span, compressed);
            var (stored, flags) = length < 0 ? (data, PackRecordFlags.None) : (compressed.AsMemory(0, length), PackRecordFlags.Zstd);
            var header = new byte[PackFormat.RecordHeaderLength];
            PackFormat.WriteRecordHeader(header, hash, flags, stored.Span);
            // Not cancellable once queued: the appender reads the buffers until the batch is durable.
            await _appender.AppendAsync(hash, header, stored);
        }
        finally
        {
            if (compressed is not null)
            {
                ArrayPool<byte>.Shared.Return(compressed);
            }
        }
    }

    /// <summary>A raw record is read straight into the caller's buffer; a compressed one through a pooled buffer.</summary>
    private async Task ReadRecordAsync(byte[] hash, BlockLocation location, Memory<byte> block, CancellationToken cancellationToken)
    {
        var header = new byte[PackFormat.RecordHeaderLength];
        if (location.Length == PackFormat.RecordHeaderLength + IBlockStore.BlockSize)
        {
            var raw = await ReadVerifiedAsync(hash, location, header, block, cancellationToken);
            if (raw.Flags != PackRecordFlags.None)
            {
                throw Damaged(hash, location, "a record of a whole block's length is marked compressed");
            }

            return;
        }

        var stored = ArrayPool<byte>.Shared.Rent(Math.Clamp(location.Length - PackFormat.RecordHeaderLength, 0, PackFormat.MaxStoredLength));
        try
        {
            var parsed = await ReadVerifiedAsync(hash, location, header, stored, cancellationToken);
            if (!_codec.TryDecode(parsed.Flags, stored.AsSpan(0, parsed.StoredLength), block.Span))
            {
                throw Damaged(hash, location, "its stored bytes do not decode to a block");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(stored);
        }
    }

    /// <summary>
    /// Reads the record at <paramref name="location"/>: its header into <paramref name="header"/>, its stored bytes into
    /// <paramref name="stored"/>; checks it is whole and is the block asked for.
    /// </summary>
    private async Task<PackRecordHeader> ReadVerifiedAsync(byte[] hash, BlockLocation location, Memory<byte> header, Memory<byte> stored, CancellationToken cancellationToken)
    {
        if (location.Length is <= PackFormat.RecordHeaderLength or > PackFormat.MaxRecordLength)
        {
            throw Damaged(hash, location, $"the index gives it a record of {location.Length} bytes");
        }

        var storedLength = location.Length - PackFormat.RecordHeaderLength;
        var read = await _files.ReadAsync(location.PackId, location.Offset, header[..PackFormat.RecordHeaderLength], cancellationToken);
        if (read == PackFormat.RecordHeaderLength)
        {
            read += await _files.ReadAsync(location.PackId, location.Offset + read, stored[..storedLength], cancellationToken);
        }

        if (read < location.Length)
        {
            throw Damaged(hash, location, $"the pack ends at byte {location.Offset + read}, before the end of the record ({location.End})");
        }

        var parsed = PackFormat.ReadRecordHeader(header.Span);
        if (parsed is null || parsed.RecordLength != location.Length)
        {
            throw Damaged(hash, location, "no record of that length begins there");
        }

        if (!parsed.Hash.AsSpan().SequenceEqual(hash))
        {
            throw Damaged(hash, location, $"the record there holds block {BlockHashes.ToHex(parsed.Hash)}");
        }

        if (!PackFormat.ChecksumMatches(header.Span, stored.Span[..storedLength]))
        {
            throw Damaged(hash, location, "the record fails its checksum (its bytes changed on disk)");
        }

        return parsed;
    }

    private async Task MoveLiveRecordsAsync(long packId, CancellationToken cancellationToken)
    {
        var from = 0L;
        while (true)
        {
            var page = await _index.ListInPackAsync(packId, from, MoveChunk, cancellationToken);
            if (page.Count == 0)
            {
                return;
            }

            var buffers = new List<byte[]>(page.Count);
            var moves = new List<Task>(page.Count);
            try
            {
                foreach (var placement in page)
                {
                    var record = ArrayPool<byte>.Shared.Rent(PackFormat.MaxRecordLength);
                    buffers.Add(record);
                    try
                    {
                        await ReadVerifiedAsync(placement.Hash, placement.Location, record.AsMemory(0, PackFormat.RecordHeaderLength), record.AsMemory(PackFormat.RecordHeaderLength), cancellationToken);
                    }
                    catch (BlockDamagedException e)
                    {
                        // Copying it would not mend it: it stays where it is (and so does its pack), and reads keep failing clearly.
                        _logger.LogError("Compaction left a damaged block in place: {Message}", e.Message);
                        continue;
                    }

                    var header = record.AsMemory(0, PackFormat.RecordHeaderLength);
                    var stored = record.AsMemory(PackFormat.RecordHeaderLength, placement.Location.Length - PackFormat.RecordHeaderLength);
                    moves.Add(_appender.AppendAsync(placement.Hash, header, stored, placement.Location));
                }
            }
            finally
            {
                await Task.WhenAll(moves);
                buffers.ForEach(b => ArrayPool<byte>.Shared.Return(b));
            }

            from = page[^1].Location.Offset + 1;
        }
    }

    private static async Task<long> CutTornTailAsync(LocalPackFiles files, long packId, long end, ILogger logger, CancellationToken cancellationToken)
    {
        var length = files.Length(packId);
        var record = ArrayPool<byte>.Shared.Rent(PackFormat.MaxRecordLength);
        try
        {
            // Records past the last one the index points to were never acknowledged; keep those that are whole (dead
            // space until compaction) and cut at the first that is not.
            while (end < length)
            {
                var headerRead = await files.ReadAsync(packId, end, record.AsMemory(0, PackFormat.RecordHeaderLength), cancellationToken);
                if (headerRead < PackFormat.RecordHeaderLength || PackFormat.ReadRecordHeader(record) is not { } header || end + header.RecordLength > length)
                {
                    break;
                }

                var storedRead = await files.ReadAsync(packId, end + PackFormat.RecordHeaderLength, record.AsMemory(PackFormat.RecordHeaderLength, header.StoredLength), cancellationToken);
                if (storedRead < header.StoredLength || !PackFormat.ChecksumMatches(record, record.AsSpan(PackFormat.RecordHeaderLength, header.StoredLength)))
                {
                    break;
                }

                end += header.RecordLength;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(record);
        }

        if (end < length)
        {
            logger.LogWarning("Pack {Pack} had a torn tail after a crash: {Bytes} bytes never acknowledged were cut.", packId, length - end);
            using var handle = files.OpenForAppend(packId);
            RandomAccess.SetLength(handle, end);
            RandomAccess.FlushToDisk(handle);
        }

        return end;
    }

    private static BlockDamagedException Damaged(byte[] hash, BlockLocation location, string problem) =>
        new(BlockHashes.ToHex(hash), $"pack {location.PackId} at offset {location.Offset}: {problem}");

    private SemaphoreSlim StripeOf(byte[] hash) => _locks[StripeIndexOf(hash)];

    private static int StripeIndexOf(byte[] hash) => ((hash[2] << 8) | hash[3]) % LockStripes;

    private static byte[] CheckHash(byte[] hash) =>
        hash.Length == BlockHashes.Length ? hash : throw new ArgumentException($"A block hash is {BlockHashes.Length} bytes, not {hash.Length}.", nameof(hash));
}
