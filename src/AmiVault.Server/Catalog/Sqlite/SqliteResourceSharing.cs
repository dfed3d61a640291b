namespace AmiVault.Catalog.Sqlite;

internal sealed class SqliteResourceSharing(SqliteDatabase db) : IResourceSharing
{
    public Task ModifyAsync(string resourceId, IReadOnlyCollection<string> add, IReadOnlyCollection<string> remove, CancellationToken cancellationToken = default) =>
        db.WriteAsync((c, t) =>
        {
            foreach (var account in add)
            {
                using var insert = SqliteDatabase.Command(c, "INSERT OR IGNORE INTO resource_permissions (resource_id, account_id) VALUES ($r, $a);", t, ("$r", resourceId), ("$a", account));
                insert.ExecuteNonQuery();
            }

            foreach (var account in remove)
            {
                using var delete = SqliteDatabase.Command(c, "DELETE FROM resource_permissions WHERE resource_id = $r AND account_id = $a;", t, ("$r", resourceId), ("$a", account));
                delete.ExecuteNonQuery();
            }
        }, cancellationToken);

    public Task ResetAsync(string resourceId, CancellationToken cancellationToken = default) =>
        db.WriteAsync((c, t) =>
        {
            using var delete = SqliteDatabase.Command(c, "DELETE FROM resource_permissions WHERE resource_id = $r;", t, ("$r", resourceId));
            delete.ExecuteNonQuery();
        }, cancellationToken);

    public Task<IReadOnlyList<string>> AccountsAsync(string resourceId, CancellationToken cancellationToken = default) =>
        Task.FromResult(Strings("SELECT account_id FROM resource_permissions WHERE resource_id = $p ORDER BY account_id;", ("$p", resourceId)));

    public Task<IReadOnlyList<string>> SharedWithAsync(string accountId, string idPrefix, CancellationToken cancellationToken = default) =>
        Task.FromResult(Strings(
            "SELECT resource_id FROM resource_permissions WHERE account_id = $p AND substr(resource_id, 1, length($x)) = $x ORDER BY resource_id;",
            ("$p", accountId), ("$x", idPrefix)));

    public Task<bool> IsSharedWithAsync(string resourceId, string accountId, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Read(c =>
        {
            using var query = SqliteDatabase.Command(c, "SELECT 1 FROM resource_permissions WHERE resource_id = $r AND account_id = $a;", null, ("$r", resourceId), ("$a", accountId));
            return query.ExecuteScalar() is not null;
        }));

    private IReadOnlyList<string> Strings(string sql, params (string Name, object? Value)[] parameters) =>
        db.Read(c =>
        {
            using var query = SqliteDatabase.Command(c, sql, null, parameters);
            using var reader = query.ExecuteReader();
            var values = new List<string>();
            while (reader.Read())
            {
                values.Add(reader.GetString(0));
            }

            return values;
        });
}
