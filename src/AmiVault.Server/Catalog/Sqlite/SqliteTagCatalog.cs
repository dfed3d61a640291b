using Microsoft.Data.Sqlite;

namespace AmiVault.Catalog.Sqlite;

internal sealed class SqliteTagCatalog(SqliteDatabase db) : ITagCatalog
{
    public Task SetAsync(string ownerId, string resourceId, IReadOnlyList<KeyValuePair<string, string>> tags, CancellationToken cancellationToken = default) =>
        db.WriteAsync((c, t) => Upsert(c, t, ownerId, resourceId, tags), cancellationToken);

    public Task DeleteAsync(string resourceId, IReadOnlyList<KeyValuePair<string, string?>> tags, CancellationToken cancellationToken = default) =>
        db.WriteAsync((c, t) =>
        {
            if (tags.Count == 0)
            {
                using var all = SqliteDatabase.Command(c, "DELETE FROM tags WHERE resource_id = $r;", t, ("$r", resourceId));
                all.ExecuteNonQuery();
                return;
            }

            foreach (var (key, value) in tags)
            {
                using var delete = value is null
                    ? SqliteDatabase.Command(c, "DELETE FROM tags WHERE resource_id = $r AND key = $k;", t, ("$r", resourceId), ("$k", key))
                    : SqliteDatabase.Command(c, "DELETE FROM tags WHERE resource_id = $r AND key = $k AND value = $v;", t, ("$r", resourceId), ("$k", key), ("$v", value));
                delete.ExecuteNonQuery();
            }
        }, cancellationToken);

    public Task<IReadOnlyList<KeyValuePair<string, string>>> GetAsync(string resourceId, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<KeyValuePair<string, string>>>(db.Read(c =>
        {
            using var query = SqliteDatabase.Command(c, "SELECT key, value FROM tags WHERE resource_id = $r ORDER BY key;", null, ("$r", resourceId));
            using var reader = query.ExecuteReader();
            var tags = new List<KeyValuePair<string, string>>();
            while (reader.Read())
            {
                tags.Add(new(reader.GetString(0), reader.GetString(1)));
            }

            return tags;
        }));

    public Task<IReadOnlyDictionary<string, IReadOnlyList<KeyValuePair<string, string>>>> GetManyAsync(IReadOnlyCollection<string> resourceIds, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyDictionary<string, IReadOnlyList<KeyValuePair<string, string>>>>(db.Read(c =>
        {
            var result = new Dictionary<string, IReadOnlyList<KeyValuePair<string, string>>>(StringComparer.Ordinal);
            foreach (var batch in resourceIds.Distinct().Chunk(500))
            {
                using var query = c.CreateCommand();
                var names = batch.Select((id, i) => "$r" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
                query.CommandText = $"SELECT resource_id, key, value FROM tags WHERE resource_id IN ({string.Join(',', names)}) ORDER BY resource_id, key;";
                for (var i = 0; i < batch.Length; i++)
                {
                    query.Parameters.AddWithValue(names[i], batch[i]);
                }

                using var reader = query.ExecuteReader();
                while (reader.Read())
                {
                    var id = reader.GetString(0);
                    if (!result.TryGetValue(id, out var list))
                    {
                        result[id] = list = new List<KeyValuePair<string, string>>();
                    }

                    ((List<KeyValuePair<string, string>>)list).Add(new(reader.GetString(1), reader.GetString(2)));
                }
            }

            return result;
        }));

    public Task<IReadOnlyList<TagRecord>> ListAsync(string ownerId, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<TagRecord>>(db.Read(c =>
        {
            using var query = SqliteDatabase.Command(c, "SELECT resource_id, resource_type, key, value FROM tags WHERE owner_id = $o ORDER BY resource_id, key;", null, ("$o", ownerId));
            using var reader = query.ExecuteReader();
            var tags = new List<TagRecord>();
            while (reader.Read())
            {
                tags.Add(new TagRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
            }

            return tags;
        }));

    /// <summary>Used inside other writes too, so an image or snapshot and its tags commit together.</summary>
    internal static void Upsert(SqliteConnection c, SqliteTransaction t, string ownerId, string resourceId, IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        var resourceType = resourceId.StartsWith("ami-", StringComparison.Ordinal) ? "image"
            : resourceId.StartsWith("snap-", StringComparison.Ordinal) ? "snapshot"
            : "unknown";
        foreach (var (key, value) in tags)
        {
            using var upsert = SqliteDatabase.Command(c,
                "INSERT INTO tags (resource_id, owner_id, resource_type, key, value) VALUES ($r, $o, $t, $k, $v) ON CONFLICT (resource_id, key) DO UPDATE SET value = excluded.value;", t,
                ("$r", resourceId), ("$o", ownerId), ("$t", resourceType), ("$k", key), ("$v", value));
            upsert.ExecuteNonQuery();
        }
    }
}
