using System.Collections.Concurrent;

namespace AmiVault.Catalog.Sqlite;

/// <summary>
/// Leases of the embedded catalog: one process owns the SQLite file, hence every task, so leases live in memory and
/// only keep one task from running twice at once; no other node can take a task over, so nothing is fenced. Tasks a
/// crash left unfinished are found at start-up instead (<c>ITaskJob.RecoverAsync</c>), so nothing is ever "unleased" here.
/// </summary>
internal sealed class SqliteTaskLeases : ITaskLeases
{
    private readonly ConcurrentDictionary<(TaskKind, string), (string Node, long Generation)> _held = new();
    private long _generations;

    public Task<long?> TryClaimAsync(TaskKind kind, string taskId, string nodeId, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        var claim = (nodeId, Interlocked.Increment(ref _generations));
        var holder = _held.GetOrAdd((kind, taskId), claim);
        return Task.FromResult<long?>(holder.Node == nodeId ? holder.Generation : null);
    }

    public Task<bool> RenewAsync(TaskKind kind, string taskId, string nodeId, long generation, TimeSpan lease, CancellationToken cancellationToken = default) =>
        Task.FromResult(_held.TryGetValue((kind, taskId), out var holder) && holder == (nodeId, generation));

    public Task ReleaseAsync(TaskKind kind, string taskId, string nodeId, CancellationToken cancellationToken = default)
    {
        if (_held.TryGetValue((kind, taskId), out var holder) && holder.Node == nodeId)
        {
            _held.TryRemove(new KeyValuePair<(TaskKind, string), (string, long)>((kind, taskId), holder));
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> ListUnleasedAsync(TaskKind kind, int limit, TimeSpan grace, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<string>>([]);
}
