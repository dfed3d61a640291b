using System.Collections.Concurrent;
using System.Globalization;
using AmiVault.Catalog;
using AmiVault.IO;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace AmiVault.Blocks;

/// <summary>
/// The pack files of the local backend: <c>packs/0000000042.pack</c> under the block folder, appended to by
/// <see cref="LocalPackWriter"/> until they reach the pack size. Read handles are kept open per pack; removing a pack
/// closes its handle, and a reader that was still using it sees <see cref="PackGoneException"/> and looks the block up
/// again (compaction moved it).
/// </summary>
internal sealed class LocalPackFiles : IPackBackend
{
    private const string Extension = ".pack";
    private readonly string _folder;
    private readonly long _packSize;
    private readonly ConcurrentDictionary<long, Lazy<SafeFileHandle>> _readers = new();

    public LocalPackFiles(string folder, long packSize)
    {
        _folder = Path.GetFullPath(folder);
        _packSize = packSize;
        DurableFile.CreateDirectory(_folder);
    }

    public string Folder => _folder;

    public string Location => _folder;

    /// <summary>The data folder belongs to one server (its lock).</summary>
    public bool IsShared => false;

    public TimeSpan OrphanGrace => TimeSpan.Zero;

    public long SettledBelow(DateTimeOffset now) => long.MaxValue;

    public Task<IReadOnlyList<StoredPack>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<StoredPack>>([.. List().Select(id => new FileInfo(PathOf(id)))
            .Where(f => f.Exists)
            .Select(f => new StoredPack(long.Parse(Path.GetFileNameWithoutExtension(f.Name), CultureInfo.InvariantCulture), f.Length, f.LastWriteTimeUtc))]);

    /// <summary>A folder that vanished (an unmounted volume) means every block read fails.</summary>
    public Task<string?> ProblemAsync(CancellationToken cancellationToken) =>
        Task.FromResult(Directory.Exists(_folder) ? null : $"the pack folder {_folder} is missing.");

    public async ValueTask<int> ReadAsync(long packId, long offset, Memory<byte> first, Memory<byte> second, CancellationToken cancellationToken)
    {
        var read = await ReadAsync(packId, offset, first, cancellationToken);
        return read < first.Length ? read : read + await ReadAsync(packId, offset + read, second, cancellationToken);
    }

    public Task DeleteAsync(IReadOnlyCollection<long> packIds, CancellationToken cancellationToken)
    {
        foreach (var id in packIds)
        {
            Delete(id);
        }

        if (packIds.Count > 0)
        {
            DurableFile.FlushDirectory(_folder);
        }

        return Task.CompletedTask;
    }

    public async Task<IPackWriter> OpenWriterAsync(IBlockIndex index, IReadOnlyCollection<long> knownPacks, ILogger logger, CancellationToken cancellationToken) =>
        await LocalPackWriter.OpenAsync(this, index, knownPacks, _packSize, logger, cancellationToken);

    public string PathOf(long packId) => Path.Combine(_folder, packId.ToString("D10", CultureInfo.InvariantCulture) + Extension);

    public IReadOnlyList<long> List() =>
        [.. Directory.EnumerateFiles(_folder, "*" + Extension)
            .Select(f => long.TryParse(Path.GetFileNameWithoutExtension(f), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : -1)
            .Where(id => id >= 0)
            .Order()];

    /// <summary>Creates a new pack holding only its header, flushed, with its name durable in the folder.</summary>
    public SafeFileHandle Create(long packId)
    {
        var handle = File.OpenHandle(PathOf(packId), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);
        try
        {
            RandomAccess.Write(handle, PackFormat.FileHeader(), 0);
            RandomAccess.FlushToDisk(handle);
            DurableFile.FlushDirectory(_folder);
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Opens an existing pack to append to it.</summary>
    public SafeFileHandle OpenForAppend(long packId) =>
        File.OpenHandle(PathOf(packId), FileMode.Open, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);

    public long Length(long packId)
    {
        var info = new FileInfo(PathOf(packId));
        return info.Exists ? info.Length : -1;
    }

    /// <summary>
    /// Reads exactly <paramref name="destination"/>.Length bytes from <paramref name="offset"/>; returns how many
    /// there were (fewer at the end of the pack). <see cref="PackGoneException"/> when the pack does not exist.
    /// </summary>
    public async ValueTask<int> ReadAsync(long packId, long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var lazy = _readers.GetOrAdd(packId, id => new Lazy<SafeFileHandle>(() => OpenForRead(id)));
        SafeFileHandle handle;
        try
        {
            handle = lazy.Value;
        }
        catch
        {
            // Not cached: the next reader tries again (the file may be back, or the error passing).
            _readers.TryRemove(new KeyValuePair<long, Lazy<SafeFileHandle>>(packId, lazy));
            throw;
        }

        try
        {
            var total = 0;
            while (total < destination.Length)
            {
                var read = await RandomAccess.ReadAsync(handle, destination[total..], offset + total, cancellationToken);
                if (read == 0)
                {
                    break;
                }

                total += read;
            }

            return total;
        }
        catch (ObjectDisposedException)
        {
            throw new PackGoneException(PathOf(packId));
        }
    }

    /// <summary>Removes a pack (closing the handle readers share); <see cref="DeleteAsync"/> makes removals durable.</summary>
    private void Delete(long packId)
    {
        if (_readers.TryRemove(packId, out var reader) && reader.IsValueCreated)
        {
            reader.Value.Dispose();
        }

        File.Delete(PathOf(packId));
    }

    public void Dispose()
    {
        foreach (var reader in _readers.Values)
        {
            if (reader.IsValueCreated)
            {
                reader.Value.Dispose();
            }
        }

        _readers.Clear();
    }

    private SafeFileHandle OpenForRead(long packId)
    {
        try
        {
            return File.OpenHandle(PathOf(packId), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new PackGoneException(PathOf(packId));
        }
    }
}
