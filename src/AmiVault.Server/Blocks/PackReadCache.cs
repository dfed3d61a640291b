using System.Collections.Concurrent;
using System.Globalization;
using AmiVault.IO;

namespace AmiVault.Blocks;

/// <summary>
/// A bounded local cache of records read from remote packs, one file per record under the cache folder. Packs never
/// change once written, so an entry never goes stale; it goes when its pack is removed or when the cache is over its
/// capacity (least recently used first). It is emptied when the store opens, so a file torn by a crash is never used;
/// every record read from it is checked against its checksum like any other.
/// </summary>
internal sealed class PackReadCache
{
    private readonly string _folder;
    private readonly long _capacity;
    private readonly ConcurrentDictionary<(long Pack, long Offset), Entry> _entries = new();
    private readonly Lock _evicting = new();
    private long _bytes;
    private long _clock;

    public PackReadCache(string folder, long capacityBytes)
    {
        _folder = Path.GetFullPath(folder);
        _capacity = capacityBytes;
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }

        DurableFile.CreateDirectory(_folder);
    }

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Fills <paramref name="first"/> then <paramref name="second"/> from the cached record at this place; null on a miss.</summary>
    public async ValueTask<int?> TryReadAsync(long packId, long offset, Memory<byte> first, Memory<byte> second, CancellationToken cancellationToken)
    {
        if (!_entries.TryGetValue((packId, offset), out var entry) || entry.Length != first.Length + second.Length)
        {
            return null;
        }

        entry.LastUse = Interlocked.Increment(ref _clock);
        try
        {
            using var handle = File.OpenHandle(PathOf(packId, offset), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var read = await RandomAccess.ReadAsync(handle, first, 0, cancellationToken);
            if (read == first.Length)
            {
                read += await RandomAccess.ReadAsync(handle, second, first.Length, cancellationToken);
            }

            return read == entry.Length ? read : null;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null; // evicted meanwhile
        }
    }

    /// <summary>Keeps a record just read from its pack.</summary>
    public void Store(long packId, long offset, ReadOnlyMemory<byte> first, ReadOnlyMemory<byte> second)
    {
        var length = first.Length + second.Length;
        if (length > _capacity / 4 || _entries.ContainsKey((packId, offset)))
        {
            return;
        }

        var temp = Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".tmp");
        using (var handle = File.OpenHandle(temp, FileMode.CreateNew, FileAccess.Write))
        {
            RandomAccess.Write(handle, first.Span, 0);
            RandomAccess.Write(handle, second.Span, first.Length);
        }

        File.Move(temp, PathOf(packId, offset), overwrite: true);
        if (_entries.TryAdd((packId, offset), new Entry(length) { LastUse = Interlocked.Increment(ref _clock) })
            && Interlocked.Add(ref _bytes, length) > _capacity)
        {
            Evict();
        }
    }

    /// <summary>Drops the records of a pack that was removed.</summary>
    public void Forget(long packId)
    {
        foreach (var key in _entries.Keys.Where(k => k.Pack == packId))
        {
            Remove(key);
        }
    }

    /// <summary>Removes the least recently used records until a tenth of the capacity is free.</summary>
    private void Evict()
    {
        lock (_evicting)
        {
            var target = _capacity - _capacity / 10;
            foreach (var (key, _) in _entries.OrderBy(e => e.Value.LastUse).ToList())
            {
                if (Bytes <= target)
                {
                    break;
                }

                Remove(key);
            }
        }
    }

    private void Remove((long Pack, long Offset) key)
    {
        if (_entries.TryRemove(key, out var entry))
        {
            File.Delete(PathOf(key.Pack, key.Offset));
            Interlocked.Add(ref _bytes, -entry.Length);
        }
    }

    private string PathOf(long packId, long offset) =>
        Path.Combine(_folder, string.Create(CultureInfo.InvariantCulture, $"{packId:D19}-{offset:D12}.rec"));

    private sealed class Entry(int length)
    {
        public int Length => length;

        public long LastUse { get; set; }
    }
}
