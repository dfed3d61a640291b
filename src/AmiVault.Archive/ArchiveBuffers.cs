using System.Collections.Concurrent;

namespace AmiVault.Archive;

/// <summary>
/// Large buffers shared by every archive writer and reader in the process, one pool per length. A pool only ever
/// holds as many buffers as were in use at once, so memory stays at the peak of concurrent work rather than growing
/// with each store or restore until the next full garbage collection (which buffers owned by each operation would
/// do), and no buffer sits in a thread's private cache (as the shared ArrayPool keeps them).
/// </summary>
public static class ArchiveBuffers
{
    private static readonly ConcurrentDictionary<int, Pool<byte[]>> Pools = new();

    public static byte[] Rent(int length) =>
        Pools.GetOrAdd(length, static l => new Pool<byte[]>(() => GC.AllocateUninitializedArray<byte>(l))).Rent();

    public static void Return(byte[] buffer) => Pools[buffer.Length].Return(buffer);
}
