using System.Runtime.ExceptionServices;
using AmiVault.Archive;
using AmiVault.Blocks;

namespace AmiVault.Tasks;

/// <summary>
/// Writes restored blocks into the block store with many writes in flight. A write completes only once its block is
/// durable (only then is it counted), and the store commits the writes waiting together (one flush per batch). So the
/// blocks handed over must not wait for each other's flush: <see cref="WriteAsync"/> copies the block into a pooled
/// buffer and starts its write, which encodes the block on the caller's thread (the archive's decoding threads, so
/// decoding, hashing and compressing use every core) and queues it to the group commit; the caller goes on with the
/// next block while the flush runs. Up to <see cref="MaxInFlight"/> blocks wait for their flush at once, which bounds
/// memory and lets the next batch grow while one is being flushed. A failed write stops the rest: <see cref="Token"/>
/// is cancelled, and <see cref="CompleteAsync"/> throws the failure.
/// </summary>
internal sealed class ConcurrentBlockWriter : IAsyncDisposable
{
    /// <summary>
    /// Enough that a batch being flushed and the next one filling up both hold tens of MiB (one flush of a few MiB would
    /// leave the disk idle while the blocks are compressed); each costs a block and its stored form.
    /// </summary>
    public const int MaxInFlight = 64;

    private readonly IBlockStore _blocks;
    private readonly BlockScope _scope;
    private readonly Func<CancellationToken, ValueTask> _onWritten;
    private readonly SemaphoreSlim _slots = new(MaxInFlight, MaxInFlight);
    private readonly CancellationTokenSource _stop;
    private Exception? _failure;

    /// <param name="scope">The scope of the snapshot being restored: blocks go to their addresses in it.</param>
    public ConcurrentBlockWriter(IBlockStore blocks, BlockScope scope, Func<CancellationToken, ValueTask> onWritten, CancellationToken cancellationToken)
    {
        _blocks = blocks;
        _scope = scope;
        _onWritten = onWritten;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    /// <summary>For the producer: cancelled when a write fails (or the caller's token is).</summary>
    public CancellationToken Token => _stop.Token;

    public bool Failed => Volatile.Read(ref _failure) is not null;

    /// <summary>Starts writing a copy of the block (whose SHA-256 is <paramref name="sha256"/>); waits while <see cref="MaxInFlight"/> writes are unfinished.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> sha256, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        var copy = ArchiveBuffers.Rent(IBlockStore.BlockSize);
        data.CopyTo(copy);
        _ = WriteOneAsync(_scope.AddressOf(sha256.Span), copy);
    }

    /// <summary>Waits until every started write is durable and counted; throws the first write that failed.</summary>
    public async Task CompleteAsync()
    {
        await DrainAsync();
        if (Volatile.Read(ref _failure) is { } failure)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await DrainAsync();
        _stop.Dispose();
    }

    private async Task DrainAsync()
    {
        for (var i = 0; i < MaxInFlight; i++)
        {
            await _slots.WaitAsync(CancellationToken.None);
        }

        _slots.Release(MaxInFlight);
    }

    /// <summary>Runs synchronously up to the wait for the flush (the store encodes the block before that).</summary>
    private async Task WriteOneAsync(byte[] hash, byte[] data)
    {
        try
        {
            try
            {
                await _blocks.PutAsync(_scope, hash, data.AsMemory(0, IBlockStore.BlockSize), static () => Task.CompletedTask, _stop.Token);
            }
            finally
            {
                ArchiveBuffers.Return(data);
            }

            await _onWritten(_stop.Token);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Another write failed, or the task is stopping: this block is not counted.
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _failure, e, null);
            await _stop.CancelAsync();
        }
        finally
        {
            _slots.Release();
        }
    }
}
