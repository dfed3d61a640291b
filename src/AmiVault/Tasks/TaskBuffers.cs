using System.Buffers;

namespace AmiVault.Tasks;

/// <summary>
/// Each task's buffers come from a pool of its own. A task keeps dozens of 512 KiB blocks and 4–8 MiB frames in
/// flight; in the shared pool, arrays returned on one thread and rented on another pile up (a per-thread slot and 32
/// per core for each size), and a server that has run a few tasks held hundreds of MiB that way. A task's pool holds
/// at most what the task had in flight at once, and is garbage when the task ends.
/// </summary>
internal static class TaskBuffers
{
    /// <summary>The largest buffer an archive asks for: a decoded frame of 16 blocks.</summary>
    private const int MaxBufferLength = 8 << 20;

    private const int MaxBuffersPerSize = 32;

    public static ArrayPool<byte> Create() => ArrayPool<byte>.Create(MaxBufferLength, MaxBuffersPerSize);

    /// <summary>
    /// Gives a finished task's buffers back to the system now, rather than when the collector's large-object budget
    /// next runs out: between tasks the server is idle, and its resident memory is what it needs without a task.
    /// </summary>
    public static void ReleaseFinished() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
}
