namespace AmiVault.Configuration;

/// <summary>Where the catalog and the task queue live: SQLite in the data folder (one node) or a shared PostgreSQL (a cluster).</summary>
internal sealed class CatalogOptions
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    /// <summary><c>sqlite</c> (the default) or <c>postgres</c>.</summary>
    public string Backend { get; set; } = Sqlite;

    /// <summary>For <c>postgres</c>: an Npgsql connection string (Host=…;Port=…;Database=…;Username=…;Password=…).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// For <c>postgres</c>: base64 of 32 random bytes (<c>openssl rand -base64 32</c>), the same on every node. It seals
    /// the keys the nodes share in the database (page and block token keys), so the database alone cannot forge tokens.
    /// </summary>
    public string? SecretsKey { get; set; }

    /// <summary><see cref="SecretsKey"/> decoded; <see cref="InvalidOperationException"/> when it is not 32 bytes of base64.</summary>
    public byte[] SecretsKeyBytes()
    {
        var bytes = new byte[32];
        if (SecretsKey is null || !Convert.TryFromBase64String(SecretsKey, bytes, out var written) || written != 32)
        {
            throw new InvalidOperationException("Catalog:SecretsKey must be base64 of exactly 32 bytes (openssl rand -base64 32), the same on every node.");
        }

        return bytes;
    }
}
