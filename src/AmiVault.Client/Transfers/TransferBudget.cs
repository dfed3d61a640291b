using System.Buffers;
using System.Numerics;

namespace AmiVault.Transfers;

/// <summary>
/// The part buffers that may be in memory at once across every copy of a run, so that several objects copied side by
/// side (sync) stay within one bound. The buffers come from a pool of the budget's own: the shared pool keeps a large
/// array for each thread that last returned one, so part buffers handed between thread-pool threads multiplied the
/// process's memory well past the budget (an 8 MiB part at a time left about 90 MiB behind). A request larger than the
/// whole budget is clamped to it (it then runs alone). Waiters are served in order: a large part is not starved by a
/// stream of small ones.
/// </summary>
internal sealed class TransferBudget(long bytes)
{
    /// <summary>The largest array the pool keeps; a larger part (up to 5 GiB on a single PUT) is allocated for its copy only.</summary>
    private const int LargestPooled = 1 << 30;

    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly SemaphoreSlim _free = new(Capacity(bytes), Capacity(bytes));
    private readonly ArrayPool<byte> _arrays = ArrayPool<byte>.Create(LargestPooled, Math.Max(1, Capacity(bytes)));

    public long Bytes { get; } = bytes;

    /// <summary>
    /// Waits until a buffer of at least <paramref name="length"/> bytes fits in the budget and hands it out; disposing
    /// it gives the memory back. What is counted is the array the pool really holds (lengths round up to a power of two).
    /// </summary>
    public async Task<TransferBuffer> RentAsync(long length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var held = length <= LargestPooled ? (long)BitOperations.RoundUpToPowerOf2((ulong)Math.Max(length, 16)) : length;
        await TakeAsync(held, cancellationToken);
        try
        {
            var array = length <= LargestPooled ? _arrays.Rent((int)length) : GC.AllocateUninitializedArray<byte>(checked((int)length));
            return new TransferBuffer(this, array, (int)length, held);
        }
        catch
        {
            Give(held);
            throw;
        }
    }

    internal void Return(byte[] array, long held)
    {
        if (array.Length <= LargestPooled)
        {
            _arrays.Return(array);
        }

        Give(held);
    }

    private async Task TakeAsync(long size, CancellationToken cancellationToken)
    {
        var units = Units(size);
        await _turn.WaitAsync(cancellationToken);
        var taken = 0;
        try
        {
            for (; taken < units; taken++)
            {
                await _free.WaitAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (taken > 0)
        {
            _free.Release(taken);
            throw;
        }
        finally
        {
            _turn.Release();
        }
    }

    private void Give(long size) => _free.Release(Units(size));

    private static int Capacity(long bytes) => (int)Math.Clamp(bytes >> 20, 1, int.MaxValue);

    private int Units(long size) => (int)Math.Clamp((size + (1 << 20) - 1) >> 20, 1, Capacity(Bytes));
}
