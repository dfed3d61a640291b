namespace AmiVault.Catalog.Sqlite;

internal sealed class SqliteAccountSettings(SqliteDatabase db) : IAccountSettings
{
    public Task<bool> GetEncryptionByDefaultAsync(string accountId, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Read(c =>
        {
            using var query = SqliteDatabase.Command(c, "SELECT encryption_by_default FROM account_settings WHERE account_id = $a;", null, ("$a", accountId));
            return query.ExecuteScalar() is long value && value != 0;
        }));

    public Task SetEncryptionByDefaultAsync(string accountId, bool enabled, CancellationToken cancellationToken = default) =>
        db.WriteAsync((c, t) =>
        {
            using var upsert = SqliteDatabase.Command(c,
                "INSERT INTO account_settings (account_id, encryption_by_default) VALUES ($a, $e) ON CONFLICT (account_id) DO UPDATE SET encryption_by_default = excluded.encryption_by_default;", t,
                ("$a", accountId), ("$e", enabled ? 1 : 0));
            upsert.ExecuteNonQuery();
        }, cancellationToken);
}
