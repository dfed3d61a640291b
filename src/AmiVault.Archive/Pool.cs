using System.Collections.Concurrent;

namespace AmiVault.Archive;

/// <summary>Reusable items (zstd contexts, buffers): the pool holds no more than were ever in use at once.</summary>
internal sealed class Pool<T>(Func<T> create) : IDisposable
{
    private readonly ConcurrentBag<T> _items = [];

    public T Rent() => _items.TryTake(out var item) ? item : create();

    public void Return(T item) => _items.Add(item);

    public void Dispose()
    {
        while (_items.TryTake(out var item))
        {
            (item as IDisposable)?.Dispose();
        }
    }
}
