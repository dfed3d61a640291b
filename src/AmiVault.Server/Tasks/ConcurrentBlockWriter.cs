using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using AmiVault.Archive;
using AmiVault.Blocks;

namespace AmiVault.Tasks;

/// <summary>
/// Writes restored blocks into the block store with many writes in flight. A write completes only once its block is
/// durable, and the store commits the writes waiting together (one flush per batch), so a restore is bound by flush
/// latency unless writes overlap; the archive reader hands blocks over from only a few decoding threads. Blocks are copied into pooled buffers and queued (bounded, so memory
/// is <see cref="Writers"/> x 2 blocks) to the writers. A failed write stops the rest: <see cref="Token"/> is cancelled,
/// and <see cref="CompleteAsync"/> throws the failure.
/// </summary>
internal sealed class ConcurrentBlockWriter : IAsyncDisposable
{
    public const int Writers = 16;

    private readonly IBlockStore _blocks;
    private readonly Func<CancellationToken, ValueTask> _onWritten;
    private readonly Channel<(byte[] Hash, byte[] Data)> _queue = Channel.CreateBounded<(byte[], byte[])>(Writers);
    private readonly CancellationTokenSource _stop;
    private readonly Task[] _writers;
    private Exception? _failure;

    public ConcurrentBlockWriter(IBlockStore blocks, Func<CancellationToken, ValueTask> onWritten, CancellationToken cancellationToken)
    {
        _blocks = blocks;
        _onWritten = onWritten;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _writers = [.. Enumerable.Range(0, Writers).Select(_ => Task.Run(WriteQueuedAsync))];
    }

    /// <summary>For the producer: cancelled when a write fails (or the caller's token is).</summary>
    public CancellationToken Token => _stop.Token;

    public bool Failed => Volatile.Read(ref _failure) is not null;

    /// <summary>Queues a copy of the block; waits while the queue is full.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> sha256, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var copy = ArchiveBuffers.Rent(IBlockStore.BlockSize);
        data.CopyTo(copy);
        try
        {
            await _queue.Writer.WriteAsync((sha256.ToArray(), copy), cancellationToken);
        }
        catch
        {
            ArchiveBuffers.Return(copy);
            throw;
        }
    }

    /// <summary>Waits until every queued block is written; throws the first write that failed.</summary>
    public async Task CompleteAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_writers);
        if (Volatile.Read(ref _failure) is { } failure)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync();
        await Task.WhenAll(_writers);
        while (_queue.Reader.TryRead(out var left))
        {
            ArchiveBuffers.Return(left.Data);
        }

        _stop.Dispose();
    }

    private async Task WriteQueuedAsync()
    {
        try
        {
            await foreach (var (hash, data) in _queue.Reader.ReadAllAsync(_stop.Token))
            {
                try
                {
                    await _blocks.PutAsync(hash, data.AsMemory(0, IBlockStore.BlockSize), static () => Task.CompletedTask, _stop.Token);
                }
                finally
                {
                    ArchiveBuffers.Return(data);
                }

                await _onWritten(_stop.Token);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Another writer failed, or the task is stopping: what is left is not written.
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _failure, e, null);
            await _stop.CancelAsync();
        }
    }
}
