namespace AmiVault.Catalog.Postgres;

internal sealed class PostgresAccountSettings(PostgresDatabase db) : IAccountSettings
{
    public Task<bool> GetEncryptionByDefaultAsync(string accountId, CancellationToken cancellationToken = default) =>
        db.ReadAsync(async c =>
        {
            await using var query = PostgresDatabase.Command(c, "SELECT encryption_by_default FROM account_settings WHERE account_id = @a;", null, ("@a", accountId));
            return await query.ExecuteScalarAsync(cancellationToken) is true;
        }, cancellationToken);

    public Task SetEncryptionByDefaultAsync(string accountId, bool enabled, CancellationToken cancellationToken = default) =>
        db.WriteAsync(async (c, t) =>
        {
            await using var upsert = PostgresDatabase.Command(c,
                "INSERT INTO account_settings (account_id, encryption_by_default) VALUES (@a, @e) ON CONFLICT (account_id) DO UPDATE SET encryption_by_default = excluded.encryption_by_default;", t,
                ("@a", accountId), ("@e", enabled));
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
}
