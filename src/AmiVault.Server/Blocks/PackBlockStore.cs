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

    /// <summary>Compaction moves at most this many bytes of records at a time (bounded memory), in one batch.</summary>
    private const long MoveGroupBytes = 24L << 20;

    /// <summary>Compaction reads this many records of a group at once (a ranged GET each on S3).</summary>
    private const int MoveReaders = 8;

    private readonly IPackBackend _packs;
    private readonly IBlockIndex _index;
    private readonly BlockCodec _codec;
    private readonly PackAppender _appender;
    private readonly PackStoreSettings _settings;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim[] _locks = [.. Enumerable.Range(0, LockStripes).Select(_ => new SemaphoreSlim(1, 1))];
    private readonly SemaphoreSlim _compacting = new(1, 1);
    private readonly SemaphoreSlim _reclaimed = new(0, 1);

    private PackBlockStore(IPackBackend packs, IBlockIndex index, BlockCodec codec, PackAppender appender, PackStoreSettings settings, ILogger logger)
    {
        _packs = packs;
        _index = index;
        _codec = codec;
        _appender = appender;
        _settings = settings;
        _logger = logger;
    }

    /// <summary>
    /// Opens the store over <paramref name="packs"/> and recovers from whatever a crash left: index entries no
    /// snapshot references are dropped (on a shared backend only in packs older than its grace, see
    /// <see cref="IPackBackend.SettledBelow"/>: another server may be about to reference a young one's blocks); packs the index never knew (their records were never committed; see
    /// <see cref="IPackBackend.OrphanGrace"/>) and packs nothing points into any more are removed; the backend's writer
    /// takes over from there (locally: the newest pack's torn tail is cut, and appending continues there). Then a block
    /// folder of the previous release (one file per block) under <paramref name="root"/> is moved into packs
    /// (<see cref="LegacyBlockFolder"/>). The store owns <paramref name="packs"/> from here on.
    /// </summary>
    public static async Task<PackBlockStore> OpenAsync(
        string root, IPackBackend packs, IBlockIndex index, PackStoreSettings settings, ILogger logger, CancellationToken cancellationToken = default)
    {
        root = Path.GetFullPath(root);
        DurableFile.CreateDirectory(root);
        var codec = settings.CompressionLevel != 0 ? new BlockCodec(settings.CompressionLevel) : BlockCodec.Raw;
        PackAppender? appender = null;
        try
        {
            var now = DateTimeOffset.UtcNow;
            await index.SweepUnreferencedAsync(packs.SettledBelow(now), cancellationToken);
            var known = (await index.ListPacksAsync(cancellationToken)).ToDictionary(p => p.PackId);
            var stored = (await packs.ListAsync(cancellationToken)).ToDictionary(p => p.Id);
            var unusedBefore = now - packs.OrphanGrace;
            var doomed = stored.Values.Where(p => !known.ContainsKey(p.Id) && p.Modified <= unusedBefore).Select(p => p.Id).ToList();
            foreach (var empty in known.Values.Where(p => p.LiveBlocks == 0))
            {
                if (await index.RemovePackAsync(empty.PackId, cancellationToken))
                {
                    known.Remove(empty.PackId);
                    if (stored.ContainsKey(empty.PackId))
                    {
                        doomed.Add(empty.PackId);
                    }
                }
            }

            await packs.DeleteAsync(doomed, cancellationToken);
            foreach (var lost in known.Keys.Where(id => !stored.ContainsKey(id)))
            {
                logger.LogError("Pack {Pack} is missing from {Location}; reads of its blocks will fail.", lost, packs.Location);
            }

            appender = new PackAppender(await packs.OpenWriterAsync(index, known.Keys, logger, cancellationToken), index);
        }
        catch
        {
            packs.Dispose();
            codec.DisposeUnlessRaw();
            throw;
        }

        var store = new PackBlockStore(packs, index, codec, appender, settings, logger);
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

    /// <summary>Why blocks cannot be read or written now (the backend unreachable), or null; for /readyz.</summary>
    public Task<string?> ProblemAsync(CancellationToken cancellationToken) => _packs.ProblemAsync(cancellationToken);

    public async Task PutAsync(BlockScope scope, byte[] hash, ReadOnlyMemory<byte> data, Func<Task> recordReference, CancellationToken cancellationToken = default)
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
                await StoreAsync(scope, hash, data);
            }

            await recordReference();
            if (_packs.IsShared && await _index.FindAsync(hash, CancellationToken.None) is null)
            {
                // Another server reclaimed the block (deleting the last other snapshot using it, or sweeping at its
                // start) between our look-up and our reference. Our reference keeps it from now on: store it again.
                await StoreAsync(scope, hash, data);
            }
        }
        finally
        {
            stripe.Release();
        }
    }

    public async Task ReadAsync(BlockScope scope, byte[] hash, Memory<byte> buffer, CancellationToken cancellationToken = default)
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
                await ReadRecordAsync(scope, hash, location, block, cancellationToken);
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

    /// <summary>
    /// Copies the record of block <paramref name="hash"/> into <paramref name="target"/> as it is stored (compressed,
    /// encrypted), checked on the way (its checksum and address) and durable when this returns: moving blocks between
    /// stores (`amivault migrate`) needs no keys and decodes nothing.
    /// </summary>
    internal async Task CopyRecordToAsync(byte[] hash, PackBlockStore target, CancellationToken cancellationToken)
    {
        var (record, location) = await ReadWholeRecordAsync(hash, cancellationToken);
        try
        {
            await target._appender.AppendAsync(
                hash, record.AsMemory(0, PackFormat.RecordHeaderLength), record.AsMemory(PackFormat.RecordHeaderLength, location.Length - PackFormat.RecordHeaderLength));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(record);
        }
    }

    /// <summary>Reads the record of block <paramref name="hash"/> and checks it (checksum, address) without decoding it.</summary>
    internal async Task CheckRecordAsync(byte[] hash, CancellationToken cancellationToken) =>
        ArrayPool<byte>.Shared.Return((await ReadWholeRecordAsync(hash, cancellationToken)).Record);

    /// <summary>Whether this block has stored data (the zero block never has).</summary>
    public async Task<bool> ContainsAsync(byte[] hash) => !BlockHashes.IsZeroHash(hash) && await _index.FindAsync(hash) is not null;

    /// <summary>Completes when a reclamation freed something or <paramref name="timeout"/> passed: when compaction may have work.</summary>
    public Task WaitForReclaimAsync(TimeSpan timeout, CancellationToken cancellationToken) => _reclaimed.WaitAsync(timeout, cancellationToken);

    /// <summary>
    /// Gives space back: removes closed packs nothing points into, and rewrites closed packs whose live share is below
    /// the threshold, and small closed packs (under a quarter of the pack size: on S3 each batch of writers is a pack
    /// of its own) when there are several to merge, by appending their live records anew through the same group
    /// commit as writers, in batches of up to <see cref="MoveGroupBytes"/>. The index then moves each block that is
    /// still there, and only once none is left in the old pack is it removed. A crash at any point leaves each block at
    /// its old or its new location, both whole; start-up removes what is left over. Readers that looked a block up just
    /// before it moved look it up again.
    /// </summary>
    public async Task<CompactionResult> CompactAsync(CancellationToken cancellationToken = default)
    {
        await _compacting.WaitAsync(cancellationToken);
        try
        {
            var sealedBelow = await _appender.SealAsync(async id =>
                (await _index.ListPacksAsync(cancellationToken)).FirstOrDefault(p => p.PackId == id) is { LiveBlocks: 0 });
            var lengths = (await _packs.ListAsync(cancellationToken)).ToDictionary(p => p.Id, p => p.Length);
            var closed = (await _index.ListPacksAsync(cancellationToken)).Where(p => p.PackId < sealedBelow && lengths.ContainsKey(p.PackId)).ToList();
            var small = closed.Where(p => p.LiveBlocks > 0 && lengths[p.PackId] < _settings.PackSize / 4).ToList();
            var rewrite = closed
                .Where(p => p.LiveBlocks > 0 && p.LiveBytes < _settings.CompactionThreshold * (lengths[p.PackId] - PackFormat.FileHeaderLength))
                .Concat(small.Count > 1 ? small : [])
                .Select(p => p.PackId)
                .Distinct()
                .ToList();
            await MoveLiveRecordsAsync(rewrite, cancellationToken);

            var removed = 0;
            foreach (var pack in closed)
            {
                if (await _index.RemovePackAsync(pack.PackId, cancellationToken))
                {
                    await _packs.DeleteAsync([pack.PackId], cancellationToken);
                    removed++;
                }
            }

            return new CompactionResult(removed, rewrite.Count);
        }
        finally
        {
            _compacting.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _appender.DisposeAsync();
        _packs.Dispose();
        _codec.DisposeUnlessRaw();
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

                    await StoreAsync(BlockScope.Plain, hash, block);
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

    /// <summary>Compresses (when that pays), then encrypts (in an encrypted scope), then queues the record to the group commit.</summary>
    private async Task StoreAsync(BlockScope scope, byte[] hash, ReadOnlyMemory<byte> data)
    {
        var compressed = _codec.Compresses ? ArrayPool<byte>.Shared.Rent(IBlockStore.BlockSize) : null;
        var encrypted = scope.Encrypts ? ArrayPool<byte>.Shared.Rent(PackFormat.MaxStoredLength) : null;
        try
        {
            var length = compressed is null ? -1 : _codec.TryCompress(data.Span, compressed);
            var (stored, flags) = length < 0 ? (data, PackRecordFlags.None) : (compressed.AsMemory(0, length), PackRecordFlags.Zstd);
            if (encrypted is not null)
            {
                flags |= PackRecordFlags.Encrypted;
                scope.Seal(hash, flags, stored.Span, encrypted);
                stored = encrypted.AsMemory(0, stored.Length + BlockScope.Overhead);
            }

            var header = new byte[PackFormat.RecordHeaderLength];
            PackFormat.WriteRecordHeader(header, hash, flags, scope.KeyId, stored.Span);
            // Not cancellable once queued: the appender reads the buffers until the batch is durable.
            await _appender.AppendAsync(hash, header, stored);
        }
        finally
        {
            if (compressed is not null)
            {
                ArrayPool<byte>.Shared.Return(compressed);
            }

            if (encrypted is not null)
            {
                ArrayPool<byte>.Shared.Return(encrypted);
            }
        }
    }

    /// <summary>
    /// A plain raw record is read straight into the caller's buffer; any other through pooled buffers, decrypted
    /// (checking that it belongs to <paramref name="scope"/>) and then decompressed.
    /// </summary>
    private async Task ReadRecordAsync(BlockScope scope, byte[] hash, BlockLocation location, Memory<byte> block, CancellationToken cancellationToken)
    {
        var header = new byte[PackFormat.RecordHeaderLength];
        if (location.Length == PackFormat.RecordHeaderLength + IBlockStore.BlockSize)
        {
            var raw = await ReadVerifiedAsync(hash, location, header, block, cancellationToken);
            if (raw.Flags != PackRecordFlags.None)
            {
                throw Damaged(hash, location, "a record of a whole block's length is marked compressed or encrypted");
            }

            CheckScope(scope, hash, location, raw);
            return;
        }

        var stored = ArrayPool<byte>.Shared.Rent(Math.Clamp(location.Length - PackFormat.RecordHeaderLength, 0, PackFormat.MaxStoredLength));
        byte[]? opened = null;
        try
        {
            var parsed = await ReadVerifiedAsync(hash, location, header, stored, cancellationToken);
            CheckScope(scope, hash, location, parsed);
            ReadOnlySpan<byte> bytes = stored.AsSpan(0, parsed.StoredLength);
            if ((parsed.Flags & PackRecordFlags.Encrypted) != 0)
            {
                opened = ArrayPool<byte>.Shared.Rent(parsed.StoredLength);
                if (!scope.TryOpen(hash, parsed.Flags, bytes, opened))
                {
                    throw Damaged(hash, location, "it fails its authentication (its encrypted bytes were altered)");
                }

                bytes = opened.AsSpan(0, parsed.StoredLength - BlockScope.Overhead);
            }

            if (!_codec.TryDecode(parsed.Flags & ~PackRecordFlags.Encrypted, bytes, block.Span))
            {
                throw Damaged(hash, location, "its stored bytes do not decode to a block");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(stored);
            if (opened is not null)
            {
                ArrayPool<byte>.Shared.Return(opened);
            }
        }
    }

    /// <summary>A record is read only with the key it was sealed with, and a plain one only as plain.</summary>
    private static void CheckScope(BlockScope scope, byte[] hash, BlockLocation location, PackRecordHeader record)
    {
        var encrypted = (record.Flags & PackRecordFlags.Encrypted) != 0;
        if (encrypted && !scope.Encrypts)
        {
            throw Damaged(hash, location, $"it is encrypted (key {record.KeyId:x8}) but was read as a block of an unencrypted snapshot");
        }

        if (!encrypted && scope.Encrypts)
        {
            throw Damaged(hash, location, "it is not encrypted, but its snapshot is");
        }

        if (encrypted && record.KeyId != scope.KeyId)
        {
            throw Damaged(hash, location, $"it is encrypted with key {record.KeyId:x8}, not with this account's key {scope.KeyId:x8}");
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
        var read = await _packs.ReadAsync(location.PackId, location.Offset, header[..PackFormat.RecordHeaderLength], stored[..storedLength], cancellationToken);

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

    /// <summary>The record of a stored block, header and stored bytes, checked, in a pooled buffer the caller returns.</summary>
    private async Task<(byte[] Record, BlockLocation Location)> ReadWholeRecordAsync(byte[] hash, CancellationToken cancellationToken)
    {
        var location = await _index.FindAsync(CheckHash(hash), cancellationToken)
            ?? throw new BlockMissingException(BlockHashes.ToHex(hash), "the block index has no location for it");
        var record = ArrayPool<byte>.Shared.Rent(Math.Clamp(location.Length, PackFormat.RecordHeaderLength, PackFormat.MaxRecordLength));
        try
        {
            await ReadVerifiedAsync(hash, location, record.AsMemory(0, PackFormat.RecordHeaderLength), record.AsMemory(PackFormat.RecordHeaderLength), cancellationToken);
            return (record, location);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(record);
            throw;
        }
    }

    /// <summary>Moves the live records of these packs, gathered across packs into groups that each go into one batch.</summary>
    private async Task MoveLiveRecordsAsync(IReadOnlyList<long> packIds, CancellationToken cancellationToken)
    {
        var group = new List<BlockPlacement>();
        var groupBytes = 0L;
        var groupLimit = Math.Min(MoveGroupBytes, _settings.PackSize);
        foreach (var packId in packIds)
        {
            for (var from = 0L; ;)
            {
                var page = await _index.ListInPackAsync(packId, from, 256, cancellationToken);
                if (page.Count == 0)
                {
                    break;
                }

                foreach (var placement in page)
                {
                    if (groupBytes + placement.Location.Length > groupLimit && group.Count > 0)
                    {
                        await MoveGroupAsync(group, cancellationToken);
                        group.Clear();
                        groupBytes = 0;
                    }

                    group.Add(placement);
                    groupBytes += placement.Location.Length;
                }

                from = page[^1].Location.Offset + 1;
            }
        }

        if (group.Count > 0)
        {
            await MoveGroupAsync(group, cancellationToken);
        }
    }

    private async Task MoveGroupAsync(IReadOnlyList<BlockPlacement> group, CancellationToken cancellationToken)
    {
        var records = new byte[]?[group.Count];
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, group.Count), new ParallelOptions { MaxDegreeOfParallelism = MoveReaders, CancellationToken = cancellationToken }, async (i, ct) =>
            {
                var location = group[i].Location;
                var record = ArrayPool<byte>.Shared.Rent(Math.Clamp(location.Length, PackFormat.RecordHeaderLength, PackFormat.MaxRecordLength));
                records[i] = record;
                try
                {
                    await ReadVerifiedAsync(group[i].Hash, location, record.AsMemory(0, PackFormat.RecordHeaderLength), record.AsMemory(PackFormat.RecordHeaderLength), ct);
                }
                catch (BlockDamagedException e)
                {
                    // Copying it would not mend it: it stays where it is (and so does its pack), and reads keep failing clearly.
                    _logger.LogError("Compaction left a damaged block in place: {Message}", e.Message);
                    records[i] = null;
                    ArrayPool<byte>.Shared.Return(record);
                }
            });

            var moves = _appender.AppendTogether([.. group
                .Select((placement, i) => (placement, record: records[i]))
                .Where(m => m.record is not null)
                .Select(m => (
                    m.placement.Hash,
                    (ReadOnlyMemory<byte>)m.record!.AsMemory(0, PackFormat.RecordHeaderLength),
                    (ReadOnlyMemory<byte>)m.record!.AsMemory(PackFormat.RecordHeaderLength, m.placement.Location.Length - PackFormat.RecordHeaderLength),
                    m.placement.Location))]);
            await Task.WhenAll(moves);
        }
        finally
        {
            foreach (var record in records.OfType<byte[]>())
            {
                ArrayPool<byte>.Shared.Return(record);
            }
        }
    }

    private static BlockDamagedException Damaged(byte[] hash, BlockLocation location, string problem) =>
        new(BlockHashes.ToHex(hash), $"pack {location.PackId} at offset {location.Offset}: {problem}");

    private SemaphoreSlim StripeOf(byte[] hash) => _locks[StripeIndexOf(hash)];

    private static int StripeIndexOf(byte[] hash) => ((hash[2] << 8) | hash[3]) % LockStripes;

    private static byte[] CheckHash(byte[] hash) =>
        hash.Length == BlockHashes.Length ? hash : throw new ArgumentException($"A block hash is {BlockHashes.Length} bytes, not {hash.Length}.", nameof(hash));
}
