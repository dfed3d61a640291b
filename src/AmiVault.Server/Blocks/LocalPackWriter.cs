using System.Buffers;
using AmiVault.Catalog;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace AmiVault.Blocks;

/// <summary>
/// Appends batches of records to the active local pack with one gathered write and one flush each, beginning a new
/// pack when the next batch would take the active one past the pack size. One batch at a time: the records of a pack
/// lie one after another.
/// </summary>
internal sealed class LocalPackWriter : IPackWriter
{
    private readonly LocalPackFiles _files;
    private readonly long _packSize;
    private SafeFileHandle? _active;
    private long _activeId;
    private long _length;
    private long _nextId;

    private LocalPackWriter(LocalPackFiles files, long packSize, long nextPackId)
    {
        _files = files;
        _packSize = packSize;
        _nextId = nextPackId;
    }

    public int MaxConcurrentWrites => 1;

    /// <summary>
    /// Goes on appending to the newest pack the index knows, once its torn tail (records that fail their checksum
    /// after the last one the index points to) is cut; when it is full or cannot be trusted, a new pack is begun at
    /// the first write.
    /// </summary>
    public static async Task<LocalPackWriter> OpenAsync(
        LocalPackFiles files, IBlockIndex index, IReadOnlyCollection<long> knownPacks, long packSize, ILogger logger, CancellationToken cancellationToken)
    {
        var writer = new LocalPackWriter(files, packSize, files.List().Concat(knownPacks).DefaultIfEmpty(0).Max() + 1);
        if (knownPacks.Where(id => files.Length(id) >= 0).DefaultIfEmpty(-1).Max() is var newest and >= 0 && files.Length(newest) < packSize)
        {
            var committedEnd = await index.PackEndAsync(newest, cancellationToken);
            if (committedEnd > files.Length(newest))
            {
                // Cut behind our back: appending there would put new records where the index expects old ones.
                logger.LogError("Pack {Pack} is shorter than the block index says ({Length} < {End}); reads of its last blocks will fail.", newest, files.Length(newest), committedEnd);
            }
            else
            {
                writer._length = await CutTornTailAsync(files, newest, Math.Max(committedEnd, PackFormat.FileHeaderLength), logger, cancellationToken);
                writer._active = files.OpenForAppend(newest);
                writer._activeId = newest;
            }
        }

        return writer;
    }

    public Task<(long PackId, long Offset)> WriteAsync(IReadOnlyList<ReadOnlyMemory<byte>> records, long bytes, CancellationToken cancellationToken)
    {
        if (_active is null || (_length > PackFormat.FileHeaderLength && _length + bytes > _packSize))
        {
            BeginPack();
        }

        var start = _length;
        try
        {
            RandomAccess.Write(_active!, records, start);
            RandomAccess.FlushToDisk(_active!);
        }
        catch
        {
            // Whatever part of the batch reached the pack is not referenced; cut it so the next batch follows on
            // from a clean end (start-up would cut it anyway).
            TryCut(start);
            throw;
        }

        _length = start + bytes;
        return Task.FromResult((_activeId, start));
    }

    public async Task<long> SealAsync(Func<long, Task<bool>> isEmpty)
    {
        if (_active is not null && _length > PackFormat.FileHeaderLength && await isEmpty(_activeId))
        {
            _active.Dispose();
            _active = null;
        }

        return _active is null ? _nextId : _activeId;
    }

    public void Dispose()
    {
        _active?.Dispose();
        _active = null;
    }

    private void BeginPack()
    {
        var handle = _files.Create(_nextId);
        _active?.Dispose();
        _active = handle;
        _activeId = _nextId++;
        _length = PackFormat.FileHeaderLength;
    }

    private void TryCut(long length)
    {
        try
        {
            RandomAccess.SetLength(_active!, length);
        }
        catch (IOException)
        {
            // The disk refuses even that: the next start-up cuts the torn tail.
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
}
