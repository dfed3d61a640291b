using Npgsql;

namespace AmiVault.Catalog.Postgres;

/// <summary>Asks the database for its schema version: it answers, and another node has not migrated it past this release.</summary>
internal sealed class PostgresCatalogHealth(PostgresDatabase db) : ICatalogHealth
{
    public async Task<string?> ProblemAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var version = await db.ReadAsync(async c =>
            {
                await using var read = PostgresDatabase.Command(c, "SELECT COALESCE(MAX(version), 0) FROM schema_version;");
                return Convert.ToInt32(await read.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
            }, cancellationToken);
            return version == PostgresMigrations.All.Count ? null : $"The catalog is at schema version {version}, this release at {PostgresMigrations.All.Count}.";
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            return $"The catalog database cannot be reached: {e.Message}";
        }
    }
}
