using System.Threading.Channels;
using AmiVault.Catalog;
using Microsoft.Win32.SafeHandles;

namespace AmiVault.Blocks;

/// <summary>
/// Group commit for the pack files. Writers queue records; one loop takes every record waiting, writes them to the
/// active pack with one gathered write, flushes the pack once, and enters all their locations in the block index with
/// one catalog transaction. A record's task completes only after both are durable, so an acknowledged block survives a
/// crash, yet a batch of writers costs one fsync of pack data and one catalog commit. While a batch's catalog commit
/// runs, the next batch is already being written (a few commits may be outstanding; the catalog applies them in order).
/// </summary>
internal sealed class PackAppender : IAsyncDisposable
{
    /// <summary>A batch stops growing at this size: bounded latency for the first writer of a large batch.</summary>
    private const long MaxBatchBytes = 32L << 20;

    private const int OutstandingCommits = 4;

    private readonly LocalPackFiles _files;
    private readonly IBlockIndex _index;
    private readonly long _packSize;
    private readonly Channel<Append> _queue = Channel.CreateUnbounded<Append>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _commits = new(OutstandingCommits, OutstandingCommits);
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly Task _loop;
    private SafeFileHandle? _active;
    private long _activeId;
    private long _length;
    private long _nextId;

    /// <summary>
    /// Appends after <paramref name="resumeLength"/> bytes of pack <paramref name="resumePackId"/> when given (the
    /// newest pack, its torn tail already cut); otherwise, and whenever a pack is full, begins pack
    /// <paramref name="nextPackId"/> and counts on from there.
    /// </summary>
    public PackAppender(LocalPackFiles files, IBlockIndex index, long packSize, long nextPackId, long? resumePackId, long resumeLength)
    {
        _files = files;
        _index = index;
        _packSize = packSize;
        _nextId = nextPackId;
        if (resumePackId is { } resume)
        {
            _active = files.OpenForAppend(resume);
            _activeId = resume;
            _length = resumeLength;
        }

        _loop = Task.Run(RunAsync);
    }

    /// <summary>
    /// Appends one record (<paramref name="header"/> then <paramref name="stored"/>; both must stay untouched until the
    /// task completes) and returns its location once the data and the index entry are durable.
    /// </summary>
    public Task<BlockLocation> AppendAsync(byte[] hash, ReadOnlyMemory<byte> header, ReadOnlyMemory<byte> stored, BlockLocation? movedFrom = null)
    {
        var append = new Append(hash, header, stored, movedFrom);
        if (!_queue.Writer.TryWrite(append))
        {
            throw new ObjectDisposedException(nameof(PackAppender), "The block store is closed.");
        }

        return append.Completion.Task;
    }

    /// <summary>
    /// Waits for the batch being written and every outstanding commit; then, when <paramref name="isEmpty"/> says
    /// nothing in the active pack is live any more, closes it so that it can be removed like any other closed pack.
    /// Returns the first pack id that may still receive records: every pack below it is closed for good.
    /// </summary>
    public async Task<long> SealAsync(Func<long, Task<bool>> isEmpty)
    {
        await _turn.WaitAsync();
        try
        {
            await DrainCommitsAsync();
            if (_active is not null && _length > PackFormat.FileHeaderLength && await isEmpty(_activeId))
            {
                _active.Dispose();
                _active = null;
            }

            return _active is null ? _nextId : _activeId;
        }
        finally
        {
            _turn.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
        _active?.Dispose();
        _active = null;
    }

    private async Task RunAsync()
    {
        while (await _queue.Reader.WaitToReadAsync())
        {
            var batch = new List<Append>();
            var bytes = 0L;
            while (bytes < MaxBatchBytes && _queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
                bytes += next.Length;
            }

            await _turn.WaitAsync();
            try
            {
                await WriteAsync(batch, bytes);
            }
            finally
            {
                _turn.Release();
            }
        }

        await DrainCommitsAsync();
    }

    private async Task WriteAsync(List<Append> batch, long bytes)
    {
        var placements = new List<BlockPlacement>(batch.Count);
        try
        {
            if (_active is null || (_length > PackFormat.FileHeaderLength && _length + bytes > _packSize))
            {
                BeginPack();
            }

            var start = _length;
            var offset = start;
            var buffers = new List<ReadOnlyMemory<byte>>(batch.Count * 2);
            foreach (var append in batch)
            {
                buffers.Add(append.Header);
                buffers.Add(append.Stored);
                placements.Add(new BlockPlacement(append.Hash, new BlockLocation(_activeId, offset, append.Length), append.MovedFrom));
                offset += append.Length;
            }

            try
            {
                RandomAccess.Write(_active!, buffers, start);
                RandomAccess.FlushToDisk(_active!);
            }
            catch
            {
                // Whatever part of the batch reached the pack is not referenced; cut it so the next batch follows on
                // from a clean end (start-up would cut it anyway).
                TryCut(start);
                throw;
            }

            _length = offset;
        }
        catch (Exception e)
        {
            batch.ForEach(a => a.Completion.TrySetException(e));
            return;
        }

        await _commits.WaitAsync();
        _ = CommitAsync(batch, placements);
    }

    private async Task CommitAsync(List<Append> batch, List<BlockPlacement> placements)
    {
        try
        {
            await _index.CommitAsync(placements);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Completion.TrySetResult(placements[i].Location);
            }
        }
        catch (Exception e)
        {
            // The records are in the pack but nothing points to them: dead space, never wrong data.
            batch.ForEach(a => a.Completion.TrySetException(e));
        }
        finally
        {
            _commits.Release();
        }
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

    private async Task DrainCommitsAsync()
    {
        for (var i = 0; i < OutstandingCommits; i++)
        {
            await _commits.WaitAsync();
        }

        _commits.Release(OutstandingCommits);
    }

    private sealed class Append(byte[] hash, ReadOnlyMemory<byte> header, ReadOnlyMemory<byte> stored, BlockLocation? movedFrom)
    {
        public byte[] Hash => hash;

        public ReadOnlyMemory<byte> Header => header;

        public ReadOnlyMemory<byte> Stored => stored;

        public BlockLocation? MovedFrom => movedFrom;

        public int Length => header.Length + stored.Length;

        public TaskCompletionSource<BlockLocation> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
