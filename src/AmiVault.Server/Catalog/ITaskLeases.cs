namespace AmiVault.Catalog;

/// <summary>
/// Which node runs which unfinished task. A node runs a task only while it holds the task's lease; it renews the
/// lease while it works, and a lease not renewed in time (the node died, or lost the database) lets another node
/// take the task over. Lease times are the database's clock, so nodes' clocks need not agree. Every claim raises the
/// task's lease generation, the fencing token (<see cref="TaskFence"/>) a job's writes are checked against.
/// </summary>
internal interface ITaskLeases
{
    /// <summary>
    /// Takes the task for <paramref name="nodeId"/> for <paramref name="lease"/> when it is in progress and nobody
    /// else holds a live lease on it, and answers the new lease generation; null when another node runs it or it has ended.
    /// </summary>
    Task<long?> TryClaimAsync(TaskKind kind, string taskId, string nodeId, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>Extends the node's lease of generation <paramref name="generation"/>; false when it is no longer held (it expired, or another node took the task).</summary>
    Task<bool> RenewAsync(TaskKind kind, string taskId, string nodeId, long generation, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>Gives the lease up (the node stops before the task ends), so another node need not wait for it to expire.</summary>
    Task ReleaseAsync(TaskKind kind, string taskId, string nodeId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Tasks in progress that no node holds a live lease on, oldest first, at most <paramref name="limit"/>. A task
    /// never claimed counts only once <paramref name="grace"/> has passed since it was admitted: until then it is the
    /// admitting node's, which queued it and is about to claim it.
    /// </summary>
    Task<IReadOnlyList<string>> ListUnleasedAsync(TaskKind kind, int limit, TimeSpan grace, CancellationToken cancellationToken = default);
}
