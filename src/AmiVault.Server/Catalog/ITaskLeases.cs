namespace AmiVault.Catalog;

/// <summary>
/// Which node runs which unfinished task. A node runs a task only while it holds the task's lease; it renews the
/// lease while it works, and a lease not renewed in time (the node died, or lost the database) lets another node
/// take the task over. Lease times are the database's clock, so nodes' clocks need not agree.
/// </summary>
internal interface ITaskLeases
{
    /// <summary>
    /// Takes the task for <paramref name="nodeId"/> for <paramref name="lease"/> when it is in progress and nobody
    /// else holds a live lease on it; false when another node runs it or it has ended.
    /// </summary>
    Task<bool> TryClaimAsync(TaskKind kind, string taskId, string nodeId, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>Extends the node's lease; false when the node no longer holds it (it expired and another node took the task).</summary>
    Task<bool> RenewAsync(TaskKind kind, string taskId, string nodeId, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>Gives the lease up (the node stops before the task ends), so another node need not wait for it to expire.</summary>
    Task ReleaseAsync(TaskKind kind, string taskId, string nodeId, CancellationToken cancellationToken = default);

    /// <summary>Tasks in progress that no node holds a live lease on, oldest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<string>> ListUnleasedAsync(TaskKind kind, int limit, CancellationToken cancellationToken = default);
}
