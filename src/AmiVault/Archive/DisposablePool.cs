using System.Collections.Concurrent;

namespace AmiVault.Archive;

/// <summary>Reuses zstd contexts across frames: creating one costs more than compressing a small frame.</summary>
internal sealed class DisposablePool<T>(Func<T> create) : IDisposable
    where T : IDisposable
{
    private readonly ConcurrentBag<T> _items = [];

    public T Rent() => _items.TryTake(out var item) ? item : create();

    public void Return(T item) => _items.Add(item);

    public void Dispose()
    {
        while (_items.TryTake(out var item))
        {
            item.Dispose();
        }
    }
}
