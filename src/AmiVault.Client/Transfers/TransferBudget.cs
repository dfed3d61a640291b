namespace AmiVault.Transfers;

/// <summary>
/// The bytes of part buffers that may be in memory at once across every copy of a run, so that several objects
/// copied side by side (sync) stay within one bound. A request larger than the whole budget is clamped to it (it then
/// runs alone). Waiters are served in order: a large part is not starved by a stream of small ones.
/// </summary>
internal sealed class TransferBudget(long bytes)
{
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly SemaphoreSlim _free = new(Capacity(bytes), Capacity(bytes));

    public long Bytes { get; } = bytes;

    /// <summary>Waits until <paramref name="size"/> bytes (in whole MiB) are free and takes them; <see cref="Give"/> them back.</summary>
    public async Task TakeAsync(long size, CancellationToken cancellationToken)
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

    public void Give(long size) => _free.Release(Units(size));

    private static int Capacity(long bytes) => (int)Math.Clamp(bytes >> 20, 1, int.MaxValue);

    private int Units(long size) => (int)Math.Clamp((size + (1 << 20) - 1) >> 20, 1, Capacity(Bytes));
}
