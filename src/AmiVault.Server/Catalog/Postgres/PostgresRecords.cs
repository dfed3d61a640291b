using Npgsql;

namespace AmiVault.Catalog.Postgres;

/// <summary>Reading JSON records (the <c>record</c> column) back, the one way every Postgres catalog does it.</summary>
internal static class PostgresRecords
{
    public static async Task<IReadOnlyList<T>> ReadManyAsync<T>(NpgsqlConnection c, string sql, params (string, object?)[] parameters)
    {
        await using var query = PostgresDatabase.Command(c, sql, null, parameters);
        await using var reader = await query.ExecuteReaderAsync();
        var records = new List<T>();
        while (await reader.ReadAsync())
        {
            records.Add(CatalogJson.Deserialize<T>(reader.GetString(0)));
        }

        return records;
    }

    public static async Task<T?> ReadOneAsync<T>(NpgsqlConnection c, NpgsqlTransaction? t, string sql, params (string, object?)[] parameters)
        where T : class
    {
        await using var query = PostgresDatabase.Command(c, sql, t, parameters);
        return await query.ExecuteScalarAsync() is string json ? CatalogJson.Deserialize<T>(json) : null;
    }
}
