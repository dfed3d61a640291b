namespace AmiVault.Catalog.Postgres;

/// <summary>
/// Leases in the task rows (lease_owner, lease_expires), on the database's clock. A claim locks the row with
/// FOR UPDATE SKIP LOCKED, so nodes racing for one task never wait on each other: one wins, the others move on.
/// </summary>
internal sealed class PostgresTaskLeases(PostgresDatabase db) : ITaskLeases
{
    public Task<bool> TryClaimAsync(TaskKind kind, string taskId, string nodeId, TimeSpan lease, CancellationToken cancellationToken = default) =>
        db.WriteAsync(async (c, t) =>
        {
            var table = Table(kind);
            await using var claim = PostgresDatabase.Command(c,
                $"""
                UPDATE {table} SET lease_owner = @n, lease_expires = clock_timestamp() + @lease
                WHERE task_id = (
                    SELECT task_id FROM {table}
                    WHERE task_id = @id AND state = 'InProgress'
                      AND (lease_owner IS NULL OR lease_owner = @n OR lease_expires < clock_timestamp())
                    FOR UPDATE SKIP LOCKED);
                """, t, ("@n", nodeId), ("@lease", lease), ("@id", taskId));
            return await claim.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    public Task<bool> RenewAsync(TaskKind kind, string taskId, string nodeId, TimeSpan lease, CancellationToken cancellationToken = default) =>
        db.WriteAsync(async (c, t) =>
        {
            // Only a lease still held renews: once expired it may already be another node's, even if that node has
            // not written yet, so an expired lease is lost for good.
            await using var renew = PostgresDatabase.Command(c,
                $"UPDATE {Table(kind)} SET lease_expires = clock_timestamp() + @lease WHERE task_id = @id AND lease_owner = @n AND lease_expires >= clock_timestamp();", t,
                ("@lease", lease), ("@id", taskId), ("@n", nodeId));
            return await renew.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    public Task ReleaseAsync(TaskKind kind, string taskId, string nodeId, CancellationToken cancellationToken = default) =>
        db.WriteAsync(async (c, t) =>
        {
            await using var release = PostgresDatabase.Command(c,
                $"UPDATE {Table(kind)} SET lease_owner = NULL, lease_expires = NULL WHERE task_id = @id AND lease_owner = @n;", t, ("@id", taskId), ("@n", nodeId));
            await release.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public Task<IReadOnlyList<string>> ListUnleasedAsync(TaskKind kind, int limit, CancellationToken cancellationToken = default) =>
        db.ReadAsync<IReadOnlyList<string>>(async c =>
        {
            await using var query = PostgresDatabase.Command(c,
                $"SELECT task_id FROM {Table(kind)} WHERE state = 'InProgress' AND (lease_owner IS NULL OR lease_expires < clock_timestamp()) ORDER BY start_time LIMIT @limit;", null,
                ("@limit", limit));
            await using var reader = await query.ExecuteReaderAsync(cancellationToken);
            var ids = new List<string>();
            while (await reader.ReadAsync(cancellationToken))
            {
                ids.Add(reader.GetString(0));
            }

            return ids;
        }, cancellationToken);

    private static string Table(TaskKind kind) => kind == TaskKind.Store ? "store_tasks" : "restore_tasks";
}
