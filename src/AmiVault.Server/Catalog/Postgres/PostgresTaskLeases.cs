namespace AmiVault.Catalog.Postgres;

/// <summary>
/// Leases in the task rows (lease_owner, lease_expires, lease_generation), on the database's clock. A claim locks the
/// row with FOR UPDATE SKIP LOCKED, so nodes racing for one task never wait on each other: one wins, the others move
/// on. A claim also skips a row a fenced write holds (<see cref="PostgresDatabase.WriteAsync{T}"/> takes it FOR KEY
/// SHARE), so a write that passed its fence check commits before any other node can take the task.
/// </summary>
internal sealed class PostgresTaskLeases(PostgresDatabase db) : ITaskLeases
{
    public Task<long?> TryClaimAsync(TaskKind kind, string taskId, string nodeId, TimeSpan lease, CancellationToken cancellationToken = default) =>
        db.WriteAsync(async (c, t) =>
        {
            var table = PostgresDatabase.TaskTable(kind);
            await using var claim = PostgresDatabase.Command(c,
                $"""
                UPDATE {table} SET lease_owner = @n, lease_expires = clock_timestamp() + @lease, lease_generation = lease_generation + 1
                WHERE task_id = (
                    SELECT task_id FROM {table}
                    WHERE task_id = @id AND state = 'InProgress'
                      AND (lease_owner IS NULL OR lease_owner = @n OR lease_expires < clock_timestamp())
                    FOR UPDATE SKIP LOCKED)
                RETURNING lease_generation;
                """, t, ("@n", nodeId), ("@lease", lease), ("@id", taskId));
            return await claim.ExecuteScalarAsync(cancellationToken) is long generation ? generation : (long?)null;
        }, cancellationToken);

    public Task<bool> RenewAsync(TaskKind kind, string taskId, string nodeId, long generation, TimeSpan lease, CancellationToken cancellationToken = default) =>
        db.WriteAsync(async (c, t) =>
        {
            // Only a lease still held renews: once expired it may already be another node's, even if that node has
            // not written yet, so an expired lease is lost for good.
            await using var renew = PostgresDatabase.Command(c,
                $"""
                UPDATE {PostgresDatabase.TaskTable(kind)} SET lease_expires = clock_timestamp() + @lease
                WHERE task_id = @id AND lease_owner = @n AND lease_generation = @g AND lease_expires >= clock_timestamp();
                """, t, ("@lease", lease), ("@id", taskId), ("@n", nodeId), ("@g", generation));
            return await renew.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    public Task ReleaseAsync(TaskKind kind, string taskId, string nodeId, CancellationToken cancellationToken = default) =>
        db.WriteAsync(async (c, t) =>
        {
            await using var release = PostgresDatabase.Command(c,
                $"UPDATE {PostgresDatabase.TaskTable(kind)} SET lease_owner = NULL, lease_expires = NULL WHERE task_id = @id AND lease_owner = @n;", t, ("@id", taskId), ("@n", nodeId));
            await release.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public Task<IReadOnlyList<string>> ListUnleasedAsync(TaskKind kind, int limit, TimeSpan grace, CancellationToken cancellationToken = default) =>
        db.ReadAsync<IReadOnlyList<string>>(async c =>
        {
            // A released lease (lease_owner NULL after a claim) is free at once; one never claimed waits out the grace.
            await using var query = PostgresDatabase.Command(c,
                $"""
                SELECT task_id FROM {PostgresDatabase.TaskTable(kind)}
                WHERE state = 'InProgress'
                  AND (lease_expires < clock_timestamp()
                       OR (lease_owner IS NULL AND (lease_generation > 0 OR admitted_at < clock_timestamp() - @grace)))
                ORDER BY start_time LIMIT @limit;
                """, null, ("@limit", limit), ("@grace", grace));
            await using var reader = await query.ExecuteReaderAsync(cancellationToken);
            var ids = new List<string>();
            while (await reader.ReadAsync(cancellationToken))
            {
                ids.Add(reader.GetString(0));
            }

            return ids;
        }, cancellationToken);
}
