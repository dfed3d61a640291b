namespace AmiVault.Catalog.Sqlite;

/// <summary>Reads the schema version from the catalog file, as a probe that it still opens and answers.</summary>
internal sealed class SqliteCatalogHealth(SqliteDatabase db) : ICatalogHealth
{
    public Task<string?> ProblemAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var version = db.Read(c =>
            {
                using var read = SqliteDatabase.Command(c, "SELECT COALESCE(MAX(version), 0) FROM schema_version;");
                return Convert.ToInt32(read.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            });
            return Task.FromResult(version == Migrations.All.Count ? null : $"The catalog is at schema version {version}, this release at {Migrations.All.Count}.");
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            return Task.FromResult<string?>($"The catalog cannot be read: {e.Message}");
        }
    }
}
