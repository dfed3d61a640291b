using Microsoft.Data.Sqlite;

namespace AmiVault.Catalog.Sqlite;

internal sealed class SqliteSnapshotCatalog(SqliteDatabase db) : ISnapshotCatalog
{
    public Task InsertAsync(SnapshotRecord snapshot, IReadOnlyList<KeyValuePair<string, string>> tags, string? copyBlocksFrom = null, CancellationToken cancellationToken = default) =>
        db.WriteAsync((c, t) => Insert(c, t, snapshot, tags, copyBlocksFrom), cancellationToken);

    public Task<SnapshotRecord?> GetAsync(string snapshotId, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Read(c => ReadOne(c, null, "SELECT record FROM snapshots WHERE snapshot_id = $p;", snapshotId)));

    public Task<IReadOnlyList<SnapshotRecord>> ListAsync(string ownerId, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Read(c => ReadMany(c, "SELECT record FROM snapshots WHERE owner_id = $p ORDER BY snapshot_id;", ("$p", ownerId))));

    public Task<SnapshotRecord?> FindByClientTokenAsync(string ownerId, string clientToken, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Read(c =>
        {
            using var query = SqliteDatabase.Command(c, "SELECT record FROM snapshots WHERE owner_id = $o AND client_token = $t;", null, ("$o", ownerId), ("$t", clientToken));
            return query.ExecuteScalar() is string json ? CatalogJson.Deserialize<SnapshotRecord>(json) : null;
        }));

    public Task<IReadOnlyList<SnapshotRecord>> ListExpiredPendingAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Read(c => ReadMany(c,
            "SELECT record FROM snapshots WHERE status = 'pending' AND deadline IS NOT NULL AND deadline < $now;", ("$now", CatalogJson.Time(now)))));

    public Task UpdateAsync(SnapshotRecord snapshot, CancellationToken cancellationToken = default) =>
        db.WriteAsync((c, t) =>
        {
            using var update = SqliteDatabase.Command(c,
                "UPDATE snapshots SET status = $status, deadline = $deadline, record = $record WHERE snapshot_id = $id;", t,
                ("$status", snapshot.Status), ("$deadline", snapshot.Deadline is { } d ? CatalogJson.Time(d) : null),
                ("$record", CatalogJson.Serialize(snapshot)), ("$id", snapshot.SnapshotId));
            if (update.ExecuteNonQuery() == 0)
            {
                throw new KeyNotFoundException($"Snapshot {snapshot.SnapshotId} is not in the catalog.");
            }
        }, cancellationToken);

    public Task<byte[]?> PutBlockAsync(string snapshotId, long blockIndex, byte[] hash, CancellationToken cancellationToken = default) =>
        db.WriteAsync((c, t) =>
        {
            byte[]? previous;
            using (var read = SqliteDatabase.Command(c, "SELECT hash FROM snapshot_blocks WHERE snapshot_id = $s AND block_index = $i;", t, ("$s", snapshotId), ("$i", blockIndex)))
            {
                previous = read.ExecuteScalar() as byte[];
            }

            using var upsert = SqliteDatabase.Command(c,
                "INSERT INTO snapshot_blocks (snapshot_id, block_index, hash) VALUES ($s, $i, $h) ON CONFLICT (snapshot_id, block_index) DO UPDATE SET hash = excluded.hash, inherited = 0;", t,
                ("$s", snapshotId), ("$i", blockIndex), ("$h", hash));
            upsert.ExecuteNonQuery();
            return previous is not null && !previous.AsSpan().SequenceEqual(hash) ? previous : null;
        }, cancellationToken);

    public Task PutBlocksAsync(string snapshotId, IEnumerable<SnapshotBlock> blocks, CancellationToken cancellationToken = default) =>
        db.WriteAsync((c, t) =>
        {
            using var upsert = SqliteDatabase.Command(c,
                "INSERT INTO snapshot_blocks (snapshot_id, block_index, hash) VALUES ($s, $i, $h) ON CONFLICT (snapshot_id, block_index) DO UPDATE SET hash = excluded.hash;", t,
                ("$s", snapshotId), ("$i", 0L), ("$h", Array.Empty<byte>()));
            foreach (var block in blocks)
            {
                upsert.Parameters["$i"].Value = block.BlockIndex;
                upsert.Parameters["$h"].Value = block.Hash;
                upsert.ExecuteNonQuery();
            }
        }, cancellationToken);

    public Task<SnapshotBlock?> GetBlockAsync(string snapshotId, long blockIndex, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Read(c =>
        {
            using var query = SqliteDatabase.Command(c, "SELECT hash FROM snapshot_blocks WHERE snapshot_id = $s AND block_index = $i;", null, ("$s", snapshotId), ("$i", blockIndex));
            return query.ExecuteScalar() is byte[] hash ? new SnapshotBlock(blockIndex, hash) : null;
        }));

    public Task<IReadOnlyList<SnapshotBlock>> ListBlocksAsync(string snapshotId, long startIndex, int limit, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Read(c => ReadBlocks(c, snapshotId, startIndex, limit, writtenOnly: false)));

    public Task<IReadOnlyList<SnapshotBlock>> ListWrittenBlocksAsync(string snapshotId, long startIndex, int limit, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Read(c => ReadBlocks(c, snapshotId, startIndex, limit, writtenOnly: true)));

    public Task<long> CountBlocksAsync(string snapshotId, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Read(c => CountBlocks(c, snapshotId, writtenOnly: false)));

    public Task<long> CountWrittenBlocksAsync(string snapshotId, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Read(c => CountBlocks(c, snapshotId, writtenOnly: true)));

    public Task<bool> IsBlockReferencedAsync(byte[] hash, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Read(c =>
        {
            using var query = SqliteDatabase.Command(c, "SELECT 1 FROM snapshot_blocks WHERE hash = $h LIMIT 1;", null, ("$h", hash));
            return query.ExecuteScalar() is not null;
        }));

    public Task<IReadOnlyList<byte[]>> DeleteAsync(string snapshotId, CancellationToken cancellationToken = default) =>
        db.WriteAsync<IReadOnlyList<byte[]>>((c, t) =>
        {
            using (var use = SqliteDatabase.Command(c, "SELECT image_id FROM image_snapshots WHERE snapshot_id = $s LIMIT 1;", t, ("$s", snapshotId)))
            {
                if (use.ExecuteScalar() is string imageId)
                {
                    throw new CatalogConflictException($"The snapshot {snapshotId} is currently in use by {imageId}");
                }
            }

            var hashes = new List<byte[]>();
            using (var read = SqliteDatabase.Command(c, "SELECT DISTINCT hash FROM snapshot_blocks WHERE snapshot_id = $s;", t, ("$s", snapshotId)))
            using (var reader = read.ExecuteReader())
            {
                while (reader.Read())
                {
                    hashes.Add((byte[])reader[0]);
                }
            }

            foreach (var sql in new[] { "DELETE FROM snapshot_blocks WHERE snapshot_id = $s;", "DELETE FROM tags WHERE resource_id = $s;", "DELETE FROM resource_permissions WHERE resource_id = $s;", "DELETE FROM snapshots WHERE snapshot_id = $s;" })
            {
                using var delete = SqliteDatabase.Command(c, sql, t, ("$s", snapshotId));
                delete.ExecuteNonQuery();
            }

            return hashes;
        }, cancellationToken);

    private static IReadOnlyList<SnapshotBlock> ReadBlocks(SqliteConnection c, string snapshotId, long startIndex, int limit, bool writtenOnly)
    {
        using var query = SqliteDatabase.Command(c,
            "SELECT block_index, hash FROM snapshot_blocks WHERE snapshot_id = $s AND block_index >= $start" +
            (writtenOnly ? " AND inherited = 0" : "") + " ORDER BY block_index LIMIT $limit;", null,
            ("$s", snapshotId), ("$start", startIndex), ("$limit", limit));
        using var reader = query.ExecuteReader();
        var blocks = new List<SnapshotBlock>();
        while (reader.Read())
        {
            blocks.Add(new SnapshotBlock(reader.GetInt64(0), (byte[])reader[1]));
        }

        return blocks;
    }

    private static long CountBlocks(SqliteConnection c, string snapshotId, bool writtenOnly)
    {
        using var query = SqliteDatabase.Command(c,
            "SELECT COUNT(*) FROM snapshot_blocks WHERE snapshot_id = $s" + (writtenOnly ? " AND inherited = 0;" : ";"), null, ("$s", snapshotId));
        return (long)query.ExecuteScalar()!;
    }

    private static SnapshotRecord? ReadOne(SqliteConnection c, SqliteTransaction? t, string sql, string parameter)
    {
        using var query = SqliteDatabase.Command(c, sql, t, ("$p", parameter));
        return query.ExecuteScalar() is string json ? CatalogJson.Deserialize<SnapshotRecord>(json) : null;
    }

    private static IReadOnlyList<SnapshotRecord> ReadMany(SqliteConnection c, string sql, params (string, object?)[] parameters)
    {
        using var query = SqliteDatabase.Command(c, sql, null, parameters);
        using var reader = query.ExecuteReader();
        var snapshots = new List<SnapshotRecord>();
        while (reader.Read())
        {
            snapshots.Add(CatalogJson.Deserialize<SnapshotRecord>(reader.GetString(0)));
        }

        return snapshots;
    }

    /// <summary>Used inside other writes too (a restore adds its snapshots with its task).</summary>
    internal static void Insert(SqliteConnection c, SqliteTransaction t, SnapshotRecord snapshot, IReadOnlyList<KeyValuePair<string, string>> tags, string? copyBlocksFrom)
    {
        try
        {
            using var insert = SqliteDatabase.Command(c,
                "INSERT INTO snapshots (snapshot_id, owner_id, status, client_token, deadline, record) VALUES ($id, $owner, $status, $token, $deadline, $record);", t,
                ("$id", snapshot.SnapshotId), ("$owner", snapshot.OwnerId), ("$status", snapshot.Status), ("$token", snapshot.ClientToken),
                ("$deadline", snapshot.Deadline is { } d ? CatalogJson.Time(d) : null), ("$record", CatalogJson.Serialize(snapshot)));
            insert.ExecuteNonQuery();
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw new CatalogConflictException($"Client token {snapshot.ClientToken} was already used by account {snapshot.OwnerId}.");
        }

        if (copyBlocksFrom is not null)
        {
            using var copy = SqliteDatabase.Command(c,
                "INSERT INTO snapshot_blocks (snapshot_id, block_index, hash, inherited) SELECT $to, block_index, hash, 1 FROM snapshot_blocks WHERE snapshot_id = $from;", t,
                ("$to", snapshot.SnapshotId), ("$from", copyBlocksFrom));
            copy.ExecuteNonQuery();
        }

        SqliteTagCatalog.Upsert(c, t, snapshot.OwnerId, snapshot.SnapshotId, tags);
    }
}
