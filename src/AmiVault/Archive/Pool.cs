using System.Collections.Concurrent;

namespace AmiVault.Archive;

/// <summary>
/// Items reused within one writer or reader: zstd contexts (costly to create) and fixed-size buffers. The pool holds
/// no more than was ever in flight at once, and goes with its owner, so nothing lingers in a process-wide pool
/// after a store or restore (the shared ArrayPool keeps large arrays per thread).
/// </summary>
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

    public static Pool<byte[]> OfBuffers(int length) => new(() => GC.AllocateUninitializedArray<byte>(length));
}
