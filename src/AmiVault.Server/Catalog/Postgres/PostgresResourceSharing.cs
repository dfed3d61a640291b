namespace AmiVault.Catalog.Postgres;

internal sealed class PostgresResourceSharing(PostgresDatabase db) : IResourceSharing
{
    public Task ModifyAsync(string resourceId, IReadOnlyCollection<string> add, IReadOnlyCollection<string> remove, CancellationToken cancellationToken = default) =>
        db.WriteAsync(async (c, t) =>
        {
            foreach (var account in add)
            {
                await using var insert = PostgresDatabase.Command(c,
                    "INSERT INTO resource_permissions (resource_id, account_id) VALUES (@r, @a) ON CONFLICT DO NOTHING;", t, ("@r", resourceId), ("@a", account));
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }

            foreach (var account in remove)
            {
                await using var delete = PostgresDatabase.Command(c,
                    "DELETE FROM resource_permissions WHERE resource_id = @r AND account_id = @a;", t, ("@r", resourceId), ("@a", account));
                await delete.ExecuteNonQueryAsync(cancellationToken);
            }
        }, cancellationToken);

    public Task ResetAsync(string resourceId, CancellationToken cancellationToken = default) =>
        db.WriteAsync(async (c, t) =>
        {
            await using var delete = PostgresDatabase.Command(c, "DELETE FROM resource_permissions WHERE resource_id = @r;", t, ("@r", resourceId));
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public Task<IReadOnlyList<string>> AccountsAsync(string resourceId, CancellationToken cancellationToken = default) =>
        StringsAsync("SELECT account_id FROM resource_permissions WHERE resource_id = @p ORDER BY account_id COLLATE \"C\";", cancellationToken, ("@p", resourceId));

    public Task<IReadOnlyList<string>> SharedWithAsync(string accountId, string idPrefix, CancellationToken cancellationToken = default) =>
        StringsAsync(
            "SELECT resource_id FROM resource_permissions WHERE account_id = @p AND left(resource_id, length(@x)) = @x ORDER BY resource_id COLLATE \"C\";",
            cancellationToken, ("@p", accountId), ("@x", idPrefix));

    public Task<bool> IsSharedWithAsync(string resourceId, string accountId, CancellationToken cancellationToken = default) =>
        db.ReadAsync(async c =>
        {
            await using var query = PostgresDatabase.Command(c, "SELECT 1 FROM resource_permissions WHERE resource_id = @r AND account_id = @a;", null, ("@r", resourceId), ("@a", accountId));
            return await query.ExecuteScalarAsync(cancellationToken) is not null;
        }, cancellationToken);

    private Task<IReadOnlyList<string>> StringsAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        db.ReadAsync<IReadOnlyList<string>>(async c =>
        {
            await using var query = PostgresDatabase.Command(c, sql, null, parameters);
            await using var reader = await query.ExecuteReaderAsync(cancellationToken);
            var values = new List<string>();
            while (await reader.ReadAsync(cancellationToken))
            {
                values.Add(reader.GetString(0));
            }

            return values;
        }, cancellationToken);
}
