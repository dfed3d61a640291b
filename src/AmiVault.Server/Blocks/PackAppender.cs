using System.Threading.Channels;
using AmiVault.Catalog;

namespace AmiVault.Blocks;

/// <summary>
/// Group commit for the packs. Writers queue records; a loop takes every record waiting, hands them to the backend's
/// <see cref="IPackWriter"/> as one batch (locally: one gathered write and one flush; on S3: one object), and enters
/// all their locations in the block index with one catalog transaction. A record's task completes only after both are
/// durable, so an acknowledged block survives a crash, yet a batch of writers costs one flush and one catalog commit.
/// While a batch's catalog commit runs, the next batch is already being written (a few commits may be outstanding),
/// and a writer that allows it has several batches in flight at once.
/// </summary>
internal sealed class PackAppender : IAsyncDisposable
{
    /// <summary>A batch stops growing at this size: bounded latency for the first writer of a large batch.</summary>
    private const long MaxBatchBytes = 32L << 20;

    private const int OutstandingCommits = 4;

    private readonly IPackWriter _writer;
    private readonly IBlockIndex _index;
    private readonly Channel<Append[]> _queue = Channel.CreateUnbounded<Append[]>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _commits = new(OutstandingCommits, OutstandingCommits);
    private readonly SemaphoreSlim _writes;
    private readonly Task _loop;

    public PackAppender(IPackWriter writer, IBlockIndex index)
    {
        _writer = writer;
        _index = index;
        _writes = new SemaphoreSlim(writer.MaxConcurrentWrites, writer.MaxConcurrentWrites);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>
    /// Appends one record (<paramref name="header"/> then <paramref name="stored"/>; both must stay untouched until the
    /// task completes) and returns its location once the data and the index entry are durable.
    /// </summary>
    public Task<BlockLocation> AppendAsync(byte[] hash, ReadOnlyMemory<byte> header, ReadOnlyMemory<byte> stored, BlockLocation? movedFrom = null) =>
        Enqueue([new Append(hash, header, stored, movedFrom)])[0];

    /// <summary>Appends records that stay together in one batch (compaction: so that merged records share a pack).</summary>
    public IReadOnlyList<Task<BlockLocation>> AppendTogether(IReadOnlyList<(byte[] Hash, ReadOnlyMemory<byte> Header, ReadOnlyMemory<byte> Stored, BlockLocation MovedFrom)> records) =>
        Enqueue([.. records.Select(r => new Append(r.Hash, r.Header, r.Stored, r.MovedFrom))]);

    /// <summary>
    /// Waits for the batches being written and every outstanding commit; then lets the writer close the pack still
    /// receiving records if <paramref name="isEmpty"/> says nothing in it is live, so that it can be removed like any
    /// other closed pack. Returns the first pack id that may still receive records: every pack below it is closed for good.
    /// </summary>
    public async Task<long> SealAsync(Func<long, Task<bool>> isEmpty)
    {
        await AcquireAllAsync(_writes, _writer.MaxConcurrentWrites);
        try
        {
            await AcquireAllAsync(_commits, OutstandingCommits);
            _commits.Release(OutstandingCommits);
            return await _writer.SealAsync(isEmpty);
        }
        finally
        {
            _writes.Release(_writer.MaxConcurrentWrites);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
        _writer.Dispose();
    }

    private IReadOnlyList<Task<BlockLocation>> Enqueue(Append[] group)
    {
        if (!_queue.Writer.TryWrite(group))
        {
            throw new ObjectDisposedException(nameof(PackAppender), "The block store is closed.");
        }

        return [.. group.Select(a => a.Completion.Task)];
    }

    private async Task RunAsync()
    {
        while (await _queue.Reader.WaitToReadAsync())
        {
            // A free writer first, then the batch: records that queue while the writers are busy join the next batch.
            await _writes.WaitAsync();
            var batch = new List<Append>();
            var bytes = 0L;
            while (bytes < MaxBatchBytes && _queue.Reader.TryRead(out var group))
            {
                batch.AddRange(group);
                bytes += group.Sum(a => (long)a.Length);
            }

            _ = WriteAndCommitAsync(batch, bytes);
        }

        await AcquireAllAsync(_writes, _writer.MaxConcurrentWrites);
        await AcquireAllAsync(_commits, OutstandingCommits);
    }

    private async Task WriteAndCommitAsync(List<Append> batch, long bytes)
    {
        var placements = new List<BlockPlacement>(batch.Count);
        try
        {
            var buffers = new List<ReadOnlyMemory<byte>>(batch.Count * 2);
            foreach (var append in batch)
            {
                buffers.Add(append.Header);
                buffers.Add(append.Stored);
            }

            var (packId, offset) = await _writer.WriteAsync(buffers, bytes, CancellationToken.None);
            foreach (var append in batch)
            {
                placements.Add(new BlockPlacement(append.Hash, new BlockLocation(packId, offset, append.Length), append.MovedFrom));
                offset += append.Length;
            }

            await _commits.WaitAsync();
        }
        catch (Exception e)
        {
            batch.ForEach(a => a.Completion.TrySetException(e));
            return;
        }
        finally
        {
            _writes.Release();
        }

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

    private static async Task AcquireAllAsync(SemaphoreSlim semaphore, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await semaphore.WaitAsync();
        }
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
