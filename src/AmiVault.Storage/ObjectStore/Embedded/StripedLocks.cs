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

    /// <summary>Every lock, always taken in the same order: for the rare change that must exclude all others.</summary>
    public async Task<IDisposable> AcquireAllAsync(CancellationToken cancellationToken)
    {
        var taken = new List<SemaphoreSlim>(_locks.Length);
        try
        {
            foreach (var gate in _locks)
            {
                await gate.WaitAsync(cancellationToken);
                taken.Add(gate);
            }
        }
        catch
        {
            taken.ForEach(g => g.Release());
            throw;
        }

        return new Release([.. taken]);
    }

    private sealed class Release(params SemaphoreSlim[] gates) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                foreach (var gate in gates)
                {
                    gate.Release();
                }
            }
        }
    }
}
