namespace AmiVault.ObjectStore.Embedded;

/// <summary>
/// Serializes changes to one name (an object key, an upload) without a lock object per name: names hash onto a
/// fixed set of semaphores. Unrelated names rarely share one, and holding it is short (a rename, a small file).
/// </summary>
internal sealed class StripedLocks
{
    private readonly SemaphoreSlim[] _locks = [.. Enumerable.Range(0, 256).Select(_ => new SemaphoreSlim(1, 1))];

    public async Task<IDisposable> AcquireAsync(string name, CancellationToken cancellationToken)
    {
        var gate = _locks[(StringComparer.Ordinal.GetHashCode(name) & int.MaxValue) % _locks.Length];
        await gate.WaitAsync(cancellationToken);
        return new Release(gate);
    }

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
