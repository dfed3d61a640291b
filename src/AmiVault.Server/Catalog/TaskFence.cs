namespace AmiVault.Catalog;

/// <summary>
/// The fencing token of the task a job runs for: the lease generation its node claimed. While a job runs inside
/// <see cref="Enter"/>, every catalog write it makes, through any catalog interface, is checked against the task's
/// current generation in the same transaction as the write, and refused (<see cref="TaskLeaseLostException"/>) once
/// another node has claimed the task. It is ambient (an AsyncLocal) because the writes of a job go through five
/// interfaces and the block store, and a node that stalled past its lease must not commit through any of them.
/// </summary>
internal sealed record TaskFence(TaskKind Kind, string TaskId, long Generation)
{
    private static readonly AsyncLocal<TaskFence?> Ambient = new();

    /// <summary>The fence of the job running on this async flow; null outside jobs (requests, recovery, the block store's own loops).</summary>
    public static TaskFence? Current => Ambient.Value;

    /// <summary>Runs what follows, on this async flow and the tasks it starts, under <paramref name="fence"/>, until disposed.</summary>
    public static IDisposable Enter(TaskFence fence)
    {
        var outer = Ambient.Value;
        Ambient.Value = fence;
        return new Scope(outer);
    }

    private sealed class Scope(TaskFence? outer) : IDisposable
    {
        public void Dispose() => Ambient.Value = outer;
    }
}
