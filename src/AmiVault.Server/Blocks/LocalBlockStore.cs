using AmiVault.Catalog;
using AmiVault.IO;
using Microsoft.Win32.SafeHandles;
using AmiVault.Ebs;

namespace AmiVault.Blocks;

/// <summary>
/// Blocks as files under one folder, named by the hex SHA-256 of their data and fanned out by its first two bytes
/// (<c>ab/cd/abcd…</c>) so no folder grows past a few hundred entries even at tens of millions of blocks.
/// A block is written to <c>tmp/</c>, fsynced and renamed into place, so a name that exists always holds a whole
/// block; leftovers in <c>tmp/</c> are from a crash and are removed when the store opens.
/// </summary>
internal sealed class LocalBlockStore : IBlockStore
{
    /// <summary>Enough stripes that 64 writers in flight rarely share one; a stripe is a 1-permit semaphore.</summary>
    private const int LockStripes = 1024;

    private readonly string _root;
    private readonly string _tempDir;
    private readonly ISnapshotCatalog _catalog;
    private readonly SemaphoreSlim[] _locks;
    private readonly bool[] _fanOutReady = new bool[256 * 256];

    public LocalBlockStore(string root, ISnapshotCatalog catalog)
    {
        _root = Path.GetFullPath(root);
        _tempDir = Path.Combine(_root, "tmp");
        _catalog = catalog;
        _locks = [.. Enumerable.Range(0, LockStripes).Select(_ => new SemaphoreSlim(1, 1))];

        DurableFile.CreateDirectory(_root);
        DurableFile.CreateDirectory(_tempDir);
        foreach (var leftover in Directory.EnumerateFiles(_tempDir))
        {
            File.Delete(leftover);
        }
    }

    public string Root => _root;

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

        var path = PathOf(hash);

        // The costly part (write and fsync) happens before taking the stripe, so writers of other blocks that share
        // it only wait for a rename; a loser of a race for the same block throws its copy away.
        string? temp = File.Exists(path) ? null : WriteTemp(hash, data.Span);
        var stripe = StripeOf(hash);
        await stripe.WaitAsync(cancellationToken);
        try
        {
            if (!File.Exists(path))
            {
                temp ??= WriteTemp(hash, data.Span);
                EnsureFanOut(hash);
                DurableFile.CommitRename(temp, path);
                temp = null;
            }

            await recordReference();
        }
        finally
        {
            stripe.Release();
            if (temp is not null)
            {
                File.Delete(temp);
            }
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

        var path = PathOf(hash);
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BlockMissingException(BlockHashes.ToHex(hash), path);
        }

        using (handle)
        {
            var total = 0;
            while (total < block.Length)
            {
                var read = await RandomAccess.ReadAsync(handle, block[total..], total, cancellationToken);
                if (read == 0)
                {
                    throw new InvalidDataException($"Block file '{path}' is {total} bytes, not {IBlockStore.BlockSize}.");
                }

                total += read;
            }
        }
    }

    public async Task ReclaimAsync(IEnumerable<byte[]> candidates, CancellationToken cancellationToken = default)
    {
        foreach (var hash in candidates)
        {
            CheckHash(hash);
            if (BlockHashes.IsZeroHash(hash))
            {
                continue;
            }

            var stripe = StripeOf(hash);
            await stripe.WaitAsync(cancellationToken);
            try
            {
                // Under the stripe no PutAsync of this hash is between writing and recording its reference.
                if (!await _catalog.IsBlockReferencedAsync(hash, cancellationToken))
                {
                    DeleteIfPresent(PathOf(hash));
                }
            }
            finally
            {
                stripe.Release();
            }
        }
    }

    /// <summary>Whether the data of this block is on disk (the zero block never is).</summary>
    public bool Contains(byte[] hash) => !BlockHashes.IsZeroHash(hash) && File.Exists(PathOf(hash));

    public string PathOf(byte[] hash)
    {
        var hex = BlockHashes.ToHex(hash);
        return Path.Combine(_root, hex[..2], hex[2..4], hex);
    }

    private string WriteTemp(byte[] hash, ReadOnlySpan<byte> data)
    {
        var temp = Path.Combine(_tempDir, $"{BlockHashes.ToHex(hash)}.{Guid.NewGuid():N}");
        try
        {
            DurableFile.WriteNew(temp, data);
            return temp;
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    private void EnsureFanOut(byte[] hash)
    {
        var slot = (hash[0] << 8) | hash[1];
        if (Volatile.Read(ref _fanOutReady[slot]))
        {
            return;
        }

        var hex = BlockHashes.ToHex(hash.AsSpan(0, 2));
        DurableFile.CreateDirectory(Path.Combine(_root, hex[..2]));
        DurableFile.CreateDirectory(Path.Combine(_root, hex[..2], hex[2..4]));
        Volatile.Write(ref _fanOutReady[slot], true);
    }

    private SemaphoreSlim StripeOf(byte[] hash) => _locks[((hash[2] << 8) | hash[3]) % LockStripes];

    private static void DeleteIfPresent(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            // Never written: nothing to reclaim.
        }
    }

    private static void CheckHash(byte[] hash)
    {
        if (hash.Length != BlockHashes.Length)
        {
            throw new ArgumentException($"A block hash is {BlockHashes.Length} bytes, not {hash.Length}.", nameof(hash));
        }
    }
}
