using System.Collections.Concurrent;

namespace AmiVault.Catalog.Sqlite;

/// <summary>
/// Leases of the embedded catalog: one process owns the SQLite file, hence every task, so leases live in memory and
/// only keep one task from running twice at once. Tasks a crash left unfinished are found at start-up instead
/// (<c>ITaskJob.RecoverAsync</c>), so nothing is ever "unleased" here.
/// </summary>
internal sealed class SqliteTaskLeases : ITaskLeases
{
    private readonly ConcurrentDictionary<(TaskKind, string), string> _held = new();

    public Task<bool> TryClaimAsync(TaskKind kind, string taskId, string nodeId, TimeSpan lease, CancellationToken cancellationToken = default) =>
        Task.FromResult(_held.GetOrAdd((kind, taskId), nodeId) == nodeId);

    public Task<bool> RenewAsync(TaskKind kind, string taskId, string nodeId, TimeSpan lease, CancellationToken cancellationToken = default) =>
        Task.FromResult(_held.TryGetValue((kind, taskId), out var holder) && holder == nodeId);

    public Task ReleaseAsync(TaskKind kind, string taskId, string nodeId, CancellationToken cancellationToken = default)
    {
        _held.TryRemove(new KeyValuePair<(TaskKind, string), string>((kind, taskId), nodeId));
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> ListUnleasedAsync(TaskKind kind, int limit, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<string>>([]);
}
