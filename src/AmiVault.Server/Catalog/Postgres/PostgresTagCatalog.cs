using Npgsql;

namespace AmiVault.Catalog.Postgres;

internal sealed class PostgresTagCatalog(PostgresDatabase db) : ITagCatalog
{
    public Task SetAsync(string ownerId, string resourceId, IReadOnlyList<KeyValuePair<string, string>> tags, CancellationToken cancellationToken = default) =>
        db.WriteAsync((c, t) => UpsertAsync(c, t, ownerId, resourceId, tags), cancellationToken);

    public Task DeleteAsync(string resourceId, IReadOnlyList<KeyValuePair<string, string?>> tags, CancellationToken cancellationToken = default) =>
        db.WriteAsync(async (c, t) =>
        {
            if (tags.Count == 0)
            {
                await using var all = PostgresDatabase.Command(c, "DELETE FROM tags WHERE resource_id = @r;", t, ("@r", resourceId));
                await all.ExecuteNonQueryAsync(cancellationToken);
                return;
            }

            foreach (var (key, value) in tags)
            {
                await using var delete = value is null
                    ? PostgresDatabase.Command(c, "DELETE FROM tags WHERE resource_id = @r AND key = @k;", t, ("@r", resourceId), ("@k", key))
                    : PostgresDatabase.Command(c, "DELETE FROM tags WHERE resource_id = @r AND key = @k AND value = @v;", t, ("@r", resourceId), ("@k", key), ("@v", value));
                await delete.ExecuteNonQueryAsync(cancellationToken);
            }
        }, cancellationToken);

    public Task<IReadOnlyList<KeyValuePair<string, string>>> GetAsync(string resourceId, CancellationToken cancellationToken = default) =>
        db.ReadAsync<IReadOnlyList<KeyValuePair<string, string>>>(async c =>
        {
            await using var query = PostgresDatabase.Command(c, "SELECT key, value FROM tags WHERE resource_id = @r ORDER BY key COLLATE \"C\";", null, ("@r", resourceId));
            await using var reader = await query.ExecuteReaderAsync(cancellationToken);
            var tags = new List<KeyValuePair<string, string>>();
            while (await reader.ReadAsync(cancellationToken))
            {
                tags.Add(new(reader.GetString(0), reader.GetString(1)));
            }

            return tags;
        }, cancellationToken);

    public Task<IReadOnlyDictionary<string, IReadOnlyList<KeyValuePair<string, string>>>> GetManyAsync(IReadOnlyCollection<string> resourceIds, CancellationToken cancellationToken = default) =>
        db.ReadAsync<IReadOnlyDictionary<string, IReadOnlyList<KeyValuePair<string, string>>>>(async c =>
        {
            var result = new Dictionary<string, IReadOnlyList<KeyValuePair<string, string>>>(StringComparer.Ordinal);
            foreach (var batch in resourceIds.Distinct().Chunk(1000))
            {
                // Keys are compared byte-wise (COLLATE "C") so the order is the same as SQLite's whatever the database's locale.
                await using var query = PostgresDatabase.Command(c,
                    "SELECT resource_id, key, value FROM tags WHERE resource_id = ANY(@ids) ORDER BY resource_id COLLATE \"C\", key COLLATE \"C\";", null, ("@ids", batch));
                await using var reader = await query.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
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
        }, cancellationToken);

    public Task<IReadOnlyList<TagRecord>> ListAsync(string ownerId, CancellationToken cancellationToken = default) =>
        db.ReadAsync<IReadOnlyList<TagRecord>>(async c =>
        {
            await using var query = PostgresDatabase.Command(c,
                "SELECT resource_id, resource_type, key, value FROM tags WHERE owner_id = @o ORDER BY resource_id COLLATE \"C\", key COLLATE \"C\";", null, ("@o", ownerId));
            await using var reader = await query.ExecuteReaderAsync(cancellationToken);
            var tags = new List<TagRecord>();
            while (await reader.ReadAsync(cancellationToken))
            {
                tags.Add(new TagRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
            }

            return tags;
        }, cancellationToken);

    /// <summary>Used inside other writes too, so an image or snapshot and its tags commit together.</summary>
    internal static async Task UpsertAsync(NpgsqlConnection c, NpgsqlTransaction t, string ownerId, string resourceId, IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        var resourceType = resourceId.StartsWith("ami-", StringComparison.Ordinal) ? "image"
            : resourceId.StartsWith("snap-", StringComparison.Ordinal) ? "snapshot"
            : "unknown";
        foreach (var (key, value) in tags)
        {
            await using var upsert = PostgresDatabase.Command(c,
                "INSERT INTO tags (resource_id, owner_id, resource_type, key, value) VALUES (@r, @o, @t, @k, @v) ON CONFLICT (resource_id, key) DO UPDATE SET value = excluded.value;", t,
                ("@r", resourceId), ("@o", ownerId), ("@t", resourceType), ("@k", key), ("@v", value));
            await upsert.ExecuteNonQueryAsync();
        }
    }
}
