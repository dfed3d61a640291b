using Microsoft.Data.Sqlite;

namespace AmiVault.Catalog.Sqlite;

internal sealed class SqliteParameterCatalog(SqliteDatabase db) : IParameterCatalog
{
    public Task<ParameterVersion> PutAsync(ParameterVersion version, bool overwrite, IReadOnlyList<KeyValuePair<string, string>> tags, CancellationToken cancellationToken = default) =>
        db.WriteAsync((c, t) =>
        {
            var history = History(c, t, version.OwnerId, version.Name);
            if (history.Count > 0 && !overwrite)
            {
                throw new CatalogConflictException($"The parameter {version.Name} already exists.");
            }

            var stored = version with { Version = history.Count == 0 ? 1 : history[^1].Version + 1, Labels = [] };
            using (var insert = SqliteDatabase.Command(c, "INSERT INTO parameters (owner_id, name, version, record) VALUES ($o, $n, $v, $r);", t,
                ("$o", stored.OwnerId), ("$n", stored.Name), ("$v", stored.Version), ("$r", CatalogJson.Serialize(stored))))
            {
                insert.ExecuteNonQuery();
            }

            if (history.Count >= IParameterCatalog.MaxVersions)
            {
                using var trim = SqliteDatabase.Command(c, "DELETE FROM parameters WHERE owner_id = $o AND name = $n AND version <= $v;", t,
                    ("$o", stored.OwnerId), ("$n", stored.Name), ("$v", stored.Version - IParameterCatalog.MaxVersions));
                trim.ExecuteNonQuery();
            }

            if (history.Count == 0 && tags.Count > 0)
            {
                using var tag = SqliteDatabase.Command(c, "INSERT OR REPLACE INTO parameter_tags (owner_id, name, tags) VALUES ($o, $n, $t);", t,
                    ("$o", stored.OwnerId), ("$n", stored.Name), ("$t", CatalogJson.Serialize(tags.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal))));
                tag.ExecuteNonQuery();
            }

            return stored;
        }, cancellationToken);

    public Task<IReadOnlyList<ParameterVersion>> HistoryAsync(string ownerId, string name, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<ParameterVersion>>(db.Read(c => History(c, null, ownerId, name)));

    public Task<IReadOnlyList<ParameterVersion>> ListLatestAsync(string ownerId, string prefix, string? after, int limit, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<ParameterVersion>>(db.Read(c =>
        {
            using var query = SqliteDatabase.Command(c, """
                SELECT record FROM parameters p
                WHERE owner_id = $o AND substr(name, 1, length($p)) = $p AND ($a IS NULL OR name > $a)
                  AND version = (SELECT MAX(version) FROM parameters q WHERE q.owner_id = p.owner_id AND q.name = p.name)
                ORDER BY name LIMIT $l;
                """, null, ("$o", ownerId), ("$p", prefix), ("$a", after), ("$l", limit));
            return Records(query);
        }));

    public Task<bool> DeleteAsync(string ownerId, string name, CancellationToken cancellationToken = default) =>
        db.WriteAsync((c, t) =>
        {
            using var tags = SqliteDatabase.Command(c, "DELETE FROM parameter_tags WHERE owner_id = $o AND name = $n;", t, ("$o", ownerId), ("$n", name));
            tags.ExecuteNonQuery();
            using var versions = SqliteDatabase.Command(c, "DELETE FROM parameters WHERE owner_id = $o AND name = $n;", t, ("$o", ownerId), ("$n", name));
            return versions.ExecuteNonQuery() > 0;
        }, cancellationToken);

    public Task<long?> LabelAsync(string ownerId, string name, long? version, IReadOnlyList<string> labels, int maxLabels, CancellationToken cancellationToken = default) =>
        db.WriteAsync<long?>((c, t) =>
        {
            var history = History(c, t, ownerId, name);
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
                Save(c, t, other with { Labels = [.. other.Labels.Where(l => !labels.Contains(l))] });
            }

            Save(c, t, target with { Labels = combined });
            return target.Version;
        }, cancellationToken);

    public Task<IReadOnlyList<KeyValuePair<string, string>>> TagsAsync(string ownerId, string name, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<KeyValuePair<string, string>>>(db.Read(c =>
        {
            using var query = SqliteDatabase.Command(c, "SELECT tags FROM parameter_tags WHERE owner_id = $o AND name = $n;", null, ("$o", ownerId), ("$n", name));
            return query.ExecuteScalar() is string json
                ? [.. CatalogJson.Deserialize<Dictionary<string, string>>(json).OrderBy(p => p.Key, StringComparer.Ordinal)]
                : (IReadOnlyList<KeyValuePair<string, string>>)[];
        }));

    private static void Save(SqliteConnection c, SqliteTransaction t, ParameterVersion version)
    {
        using var update = SqliteDatabase.Command(c, "UPDATE parameters SET record = $r WHERE owner_id = $o AND name = $n AND version = $v;", t,
            ("$r", CatalogJson.Serialize(version)), ("$o", version.OwnerId), ("$n", version.Name), ("$v", version.Version));
        update.ExecuteNonQuery();
    }

    private static List<ParameterVersion> History(SqliteConnection c, SqliteTransaction? t, string ownerId, string name)
    {
        using var query = SqliteDatabase.Command(c, "SELECT record FROM parameters WHERE owner_id = $o AND name = $n ORDER BY version;", t, ("$o", ownerId), ("$n", name));
        return Records(query);
    }

    private static List<ParameterVersion> Records(SqliteCommand query)
    {
        using var reader = query.ExecuteReader();
        var records = new List<ParameterVersion>();
        while (reader.Read())
        {
            records.Add(CatalogJson.Deserialize<ParameterVersion>(reader.GetString(0)));
        }

        return records;
    }
}
