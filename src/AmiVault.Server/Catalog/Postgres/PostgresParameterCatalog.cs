using Npgsql;

namespace AmiVault.Catalog.Postgres;

/// <summary>
/// The twin of <c>SqliteParameterCatalog</c>. Each write to a parameter holds an advisory lock on its name for the
/// transaction, so two nodes overwriting or labelling it at once number and label versions one after the other.
/// Names are compared byte-wise (COLLATE "C") so listings page in SQLite's order whatever the database's locale.
/// </summary>
internal sealed class PostgresParameterCatalog(PostgresDatabase db) : IParameterCatalog
{
    public Task<ParameterVersion> PutAsync(ParameterVersion version, bool overwrite, IReadOnlyList<KeyValuePair<string, string>> tags, CancellationToken cancellationToken = default) =>
        db.WriteAsync(async (c, t) =>
        {
            await LockAsync(c, t, version.OwnerId, version.Name);
            var history = await HistoryAsync(c, t, version.OwnerId, version.Name, cancellationToken);
            if (history.Count > 0 && !overwrite)
            {
                throw new CatalogConflictException($"The parameter {version.Name} already exists.");
            }

            var stored = version with { Version = history.Count == 0 ? 1 : history[^1].Version + 1, Labels = [] };
            await using (var insert = PostgresDatabase.Command(c, "INSERT INTO parameters (owner_id, name, version, record) VALUES (@o, @n, @v, @r);", t,
                ("@o", stored.OwnerId), ("@n", stored.Name), ("@v", stored.Version), ("@r", CatalogJson.Serialize(stored))))
            {
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }

            if (history.Count >= IParameterCatalog.MaxVersions)
            {
                await using var trim = PostgresDatabase.Command(c, "DELETE FROM parameters WHERE owner_id = @o AND name = @n AND version <= @v;", t,
                    ("@o", stored.OwnerId), ("@n", stored.Name), ("@v", stored.Version - IParameterCatalog.MaxVersions));
                await trim.ExecuteNonQueryAsync(cancellationToken);
            }

            if (history.Count == 0 && tags.Count > 0)
            {
                await using var tag = PostgresDatabase.Command(c,
                    "INSERT INTO parameter_tags (owner_id, name, tags) VALUES (@o, @n, @t) ON CONFLICT (owner_id, name) DO UPDATE SET tags = excluded.tags;", t,
                    ("@o", stored.OwnerId), ("@n", stored.Name), ("@t", CatalogJson.Serialize(tags.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal))));
                await tag.ExecuteNonQueryAsync(cancellationToken);
            }

            return stored;
        }, cancellationToken);

    public Task<IReadOnlyList<ParameterVersion>> HistoryAsync(string ownerId, string name, CancellationToken cancellationToken = default) =>
        db.ReadAsync<IReadOnlyList<ParameterVersion>>(async c => await HistoryAsync(c, null, ownerId, name, cancellationToken), cancellationToken);

    public Task<IReadOnlyList<ParameterVersion>> ListLatestAsync(string ownerId, string prefix, string? after, int limit, CancellationToken cancellationToken = default) =>
        db.ReadAsync<IReadOnlyList<ParameterVersion>>(async c =>
        {
            await using var query = PostgresDatabase.Command(c, """
                SELECT DISTINCT ON (name COLLATE "C") record FROM parameters
                WHERE owner_id = @o AND starts_with(name, @p) AND (@a::text IS NULL OR name COLLATE "C" > @a::text)
                ORDER BY name COLLATE "C", version DESC LIMIT @l;
                """, null, ("@o", ownerId), ("@p", prefix), ("@a", after), ("@l", limit));
            return await RecordsAsync(query, cancellationToken);
        }, cancellationToken);

    public Task<bool> DeleteAsync(string ownerId, string name, CancellationToken cancellationToken = default) =>
        db.WriteAsync(async (c, t) =>
        {
            await LockAsync(c, t, ownerId, name);
            await using var tags = PostgresDatabase.Command(c, "DELETE FROM parameter_tags WHERE owner_id = @o AND name = @n;", t, ("@o", ownerId), ("@n", name));
            await tags.ExecuteNonQueryAsync(cancellationToken);
            await using var versions = PostgresDatabase.Command(c, "DELETE FROM parameters WHERE owner_id = @o AND name = @n;", t, ("@o", ownerId), ("@n", name));
            return await versions.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken);

    public Task<long?> LabelAsync(string ownerId, string name, long? version, IReadOnlyList<string> labels, int maxLabels, CancellationToken cancellationToken = default) =>
        db.WriteAsync<long?>(async (c, t) =>
        {
            await LockAsync(c, t, ownerId, name);
            var history = await HistoryAsync(c, t, ownerId, name, cancellationToken);
            var target = version is { } wanted ? history.FirstOrDefault(v => v.Version == wanted) : history.LastOrDefault();
            if (target is null)
            {
                return null;
            }

            var combined = target.Labels.Union(labels, StringComparer.Ordinal).ToList();
            if (combined.Count > maxLabels)
            {
                throw new CatalogConflictException($"Version {target.Version} of {name} would carry {combined.Count} labels; at most {maxLabels} are allowed.");
            }

            foreach (var other in history.Where(v => v.Version != target.Version && v.Labels.Any(labels.Contains)))
            {
                await SaveAsync(c, t, other with { Labels = [.. other.Labels.Where(l => !labels.Contains(l))] }, cancellationToken);
            }

            await SaveAsync(c, t, target with { Labels = combined }, cancellationToken);
            return target.Version;
        }, cancellationToken);

    public Task<IReadOnlyList<KeyValuePair<string, string>>> TagsAsync(string ownerId, string name, CancellationToken cancellationToken = default) =>
        db.ReadAsync<IReadOnlyList<KeyValuePair<string, string>>>(async c =>
        {
            await using var query = PostgresDatabase.Command(c, "SELECT tags FROM parameter_tags WHERE owner_id = @o AND name = @n;", null, ("@o", ownerId), ("@n", name));
            return await query.ExecuteScalarAsync(cancellationToken) is string json
                ? [.. CatalogJson.Deserialize<Dictionary<string, string>>(json).OrderBy(p => p.Key, StringComparer.Ordinal)]
                : [];
        }, cancellationToken);

    private static Task LockAsync(NpgsqlConnection c, NpgsqlTransaction t, string ownerId, string name) =>
        PostgresDatabase.LockAsync(c, t, $"parameter:{ownerId}:{name}");

    private static async Task SaveAsync(NpgsqlConnection c, NpgsqlTransaction t, ParameterVersion version, CancellationToken cancellationToken)
    {
        await using var update = PostgresDatabase.Command(c, "UPDATE parameters SET record = @r WHERE owner_id = @o AND name = @n AND version = @v;", t,
            ("@r", CatalogJson.Serialize(version)), ("@o", version.OwnerId), ("@n", version.Name), ("@v", version.Version));
        await update.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<List<ParameterVersion>> HistoryAsync(NpgsqlConnection c, NpgsqlTransaction? t, string ownerId, string name, CancellationToken cancellationToken)
    {
        await using var query = PostgresDatabase.Command(c, "SELECT record FROM parameters WHERE owner_id = @o AND name = @n ORDER BY version;", t, ("@o", ownerId), ("@n", name));
        return await RecordsAsync(query, cancellationToken);
    }

    private static async Task<List<ParameterVersion>> RecordsAsync(NpgsqlCommand query, CancellationToken cancellationToken)
    {
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        var records = new List<ParameterVersion>();
        while (await reader.ReadAsync(cancellationToken))
        {
            records.Add(CatalogJson.Deserialize<ParameterVersion>(reader.GetString(0)));
        }

        return records;
    }
}
