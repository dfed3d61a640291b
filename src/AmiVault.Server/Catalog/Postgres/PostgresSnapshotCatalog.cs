using Npgsql;
using NpgsqlTypes;

namespace AmiVault.Catalog.Postgres;

internal sealed class PostgresSnapshotCatalog(PostgresDatabase db) : ISnapshotCatalog
{
    /// <summary>Rows per statement when a whole block index is recorded (bounded parameter arrays).</summary>
    private const int BlockBatch = 10_000;

    public Task InsertAsync(SnapshotRecord snapshot, IReadOnlyList<KeyValuePair<string, string>> tags, string? copyBlocksFrom = null, CancellationToken cancellationToken = default) =>
        db.WriteAsync((c, t) => InsertAsync(c, t, snapshot, tags, copyBlocksFrom), cancellationToken);

    public Task<SnapshotRecord?> GetAsync(string snapshotId, CancellationToken cancellationToken = default) =>
        db.ReadAsync(c => PostgresRecords.ReadOneAsync<SnapshotRecord>(c, null, "SELECT record FROM snapshots WHERE snapshot_id = @p;", ("@p", snapshotId)), cancellationToken);

    public Task<IReadOnlyList<SnapshotRecord>> ListAsync(string ownerId, CancellationToken cancellationToken = default) =>
        db.ReadAsync(c => PostgresRecords.ReadManyAsync<SnapshotRecord>(c, "SELECT record FROM snapshots WHERE owner_id = @p ORDER BY snapshot_id COLLATE \"C\";", ("@p", ownerId)), cancellationToken);

    public Task<SnapshotRecord?> FindByClientTokenAsync(string ownerId, string clientToken, CancellationToken cancellationToken = default) =>
        db.ReadAsync(c => PostgresRecords.ReadOneAsync<SnapshotRecord>(c, null, "SELECT record FROM snapshots WHERE owner_id = @o AND client_token = @t;", ("@o", ownerId), ("@t", clientToken)), cancellationToken);

    public Task<IReadOnlyList<SnapshotRecord>> ListExpiredPendingAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        db.ReadAsync(c => PostgresRecords.ReadManyAsync<SnapshotRecord>(c,
            "SELECT record FROM snapshots WHERE status = 'pending' AND deadline IS NOT NULL AND deadline < @now;", ("@now", now)), cancellationToken);

    public Task UpdateAsync(SnapshotRecord snapshot, CancellationToken cancellationToken = default) =>
        db.WriteAsync(async (c, t) =>
        {
            await using var update = PostgresDatabase.Command(c,
                "UPDATE snapshots SET status = @status, deadline = @deadline, record = @record WHERE snapshot_id = @id;", t,
                ("@status", snapshot.Status), ("@deadline", snapshot.Deadline), ("@record", CatalogJson.Serialize(snapshot)), ("@id", snapshot.SnapshotId));
            if (await update.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                throw new KeyNotFoundException($"Snapshot {snapshot.SnapshotId} is not in the catalog.");
            }
        }, cancellationToken);

    public Task<byte[]?> PutBlockAsync(string snapshotId, long blockIndex, byte[] hash, CancellationToken cancellationToken = default) =>
        db.WriteAsync(async (c, t) =>
        {
            byte[]? previous;
            await using (var read = PostgresDatabase.Command(c, "SELECT hash FROM snapshot_blocks WHERE snapshot_id = @s AND block_index = @i FOR UPDATE;", t,
                ("@s", snapshotId), ("@i", blockIndex)))
            {
                previous = await read.ExecuteScalarAsync(cancellationToken) as byte[];
            }

            await using var upsert = PostgresDatabase.Command(c,
                "INSERT INTO snapshot_blocks (snapshot_id, block_index, hash) VALUES (@s, @i, @h) ON CONFLICT (snapshot_id, block_index) DO UPDATE SET hash = excluded.hash, inherited = false;", t,
                ("@s", snapshotId), ("@i", blockIndex), ("@h", hash));
            await upsert.ExecuteNonQueryAsync(cancellationToken);
            return previous is not null && !previous.AsSpan().SequenceEqual(hash) ? previous : null;
        }, cancellationToken);

    public Task PutBlocksAsync(string snapshotId, IEnumerable<SnapshotBlock> blocks, CancellationToken cancellationToken = default) =>
        db.WriteAsync(async (c, t) =>
        {
            // One statement per batch; within a batch an index given twice keeps its last hash, as one-by-one upserts would.
            foreach (var batch in blocks.Chunk(BlockBatch))
            {
                var last = new Dictionary<long, byte[]>(batch.Length);
                foreach (var block in batch)
                {
                    last[block.BlockIndex] = block.Hash;
                }

                await using var upsert = PostgresDatabase.Command(c,
                    "INSERT INTO snapshot_blocks (snapshot_id, block_index, hash) SELECT @s, i, h FROM unnest(@i, @h) AS b(i, h) " +
                    "ON CONFLICT (snapshot_id, block_index) DO UPDATE SET hash = excluded.hash;", t, ("@s", snapshotId));
                upsert.Parameters.Add(new NpgsqlParameter("@i", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = last.Keys.ToArray() });
                upsert.Parameters.Add(new NpgsqlParameter("@h", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = last.Values.ToArray() });
                await upsert.ExecuteNonQueryAsync(cancellationToken);
            }
        }, cancellationToken);

    public Task<SnapshotBlock?> GetBlockAsync(string snapshotId, long blockIndex, CancellationToken cancellationToken = default) =>
        db.ReadAsync(async c =>
        {
            await using var query = PostgresDatabase.Command(c, "SELECT hash FROM snapshot_blocks WHERE snapshot_id = @s AND block_index = @i;", null, ("@s", snapshotId), ("@i", blockIndex));
            return await query.ExecuteScalarAsync(cancellationToken) is byte[] hash ? new SnapshotBlock(blockIndex, hash) : null;
        }, cancellationToken);

    public Task<IReadOnlyList<SnapshotBlock>> ListBlocksAsync(string snapshotId, long startIndex, int limit, CancellationToken cancellationToken = default) =>
        db.ReadAsync(c => ReadBlocksAsync(c, snapshotId, startIndex, limit, writtenOnly: false), cancellationToken);

    public Task<IReadOnlyList<SnapshotBlock>> ListWrittenBlocksAsync(string snapshotId, long startIndex, int limit, CancellationToken cancellationToken = default) =>
        db.ReadAsync(c => ReadBlocksAsync(c, snapshotId, startIndex, limit, writtenOnly: true), cancellationToken);

    public Task<long> CountBlocksAsync(string snapshotId, CancellationToken cancellationToken = default) =>
        db.ReadAsync(c => CountBlocksAsync(c, snapshotId, writtenOnly: false), cancellationToken);

    public Task<long> CountWrittenBlocksAsync(string snapshotId, CancellationToken cancellationToken = default) =>
        db.ReadAsync(c => CountBlocksAsync(c, snapshotId, writtenOnly: true), cancellationToken);

    public Task<bool> IsBlockReferencedAsync(byte[] hash, CancellationToken cancellationToken = default) =>
        db.ReadAsync(async c =>
        {
            await using var query = PostgresDatabase.Command(c, "SELECT 1 FROM snapshot_blocks WHERE hash = @h LIMIT 1;", null, ("@h", hash));
            return await query.ExecuteScalarAsync(cancellationToken) is not null;
        }, cancellationToken);

    public Task<IReadOnlyList<byte[]>> DeleteAsync(string snapshotId, CancellationToken cancellationToken = default) =>
        db.WriteAsync<IReadOnlyList<byte[]>>(async (c, t) =>
        {
            // Lock the snapshot row first: an image insert mapping it holds it FOR SHARE, so the two serialize.
            await using (var lockRow = PostgresDatabase.Command(c, "SELECT 1 FROM snapshots WHERE snapshot_id = @s FOR UPDATE;", t, ("@s", snapshotId)))
            {
                await lockRow.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var use = PostgresDatabase.Command(c, "SELECT image_id FROM image_snapshots WHERE snapshot_id = @s LIMIT 1;", t, ("@s", snapshotId)))
            {
                if (await use.ExecuteScalarAsync(cancellationToken) is string imageId)
                {
                    throw new CatalogConflictException($"The snapshot {snapshotId} is currently in use by {imageId}");
                }
            }

            var hashes = new List<byte[]>();
            await using (var read = PostgresDatabase.Command(c, "SELECT DISTINCT hash FROM snapshot_blocks WHERE snapshot_id = @s;", t, ("@s", snapshotId)))
            await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    hashes.Add((byte[])reader[0]);
                }
            }

            foreach (var sql in new[] { "DELETE FROM snapshot_blocks WHERE snapshot_id = @s;", "DELETE FROM tags WHERE resource_id = @s;", "DELETE FROM resource_permissions WHERE resource_id = @s;", "DELETE FROM snapshots WHERE snapshot_id = @s;" })
            {
                await using var delete = PostgresDatabase.Command(c, sql, t, ("@s", snapshotId));
                await delete.ExecuteNonQueryAsync(cancellationToken);
            }

            return hashes;
        }, cancellationToken);

    private static async Task<IReadOnlyList<SnapshotBlock>> ReadBlocksAsync(NpgsqlConnection c, string snapshotId, long startIndex, int limit, bool writtenOnly)
    {
        await using var query = PostgresDatabase.Command(c,
            "SELECT block_index, hash FROM snapshot_blocks WHERE snapshot_id = @s AND block_index >= @start" +
            (writtenOnly ? " AND NOT inherited" : "") + " ORDER BY block_index LIMIT @limit;", null,
            ("@s", snapshotId), ("@start", startIndex), ("@limit", limit));
        await using var reader = await query.ExecuteReaderAsync();
        var blocks = new List<SnapshotBlock>();
        while (await reader.ReadAsync())
        {
            blocks.Add(new SnapshotBlock(reader.GetInt64(0), (byte[])reader[1]));
        }

        return blocks;
    }

    private static async Task<long> CountBlocksAsync(NpgsqlConnection c, string snapshotId, bool writtenOnly)
    {
        await using var query = PostgresDatabase.Command(c,
            "SELECT COUNT(*) FROM snapshot_blocks WHERE snapshot_id = @s" + (writtenOnly ? " AND NOT inherited;" : ";"), null, ("@s", snapshotId));
        return (long)(await query.ExecuteScalarAsync())!;
    }

    /// <summary>Used inside other writes too (a restore adds its snapshots with its task).</summary>
    internal static async Task InsertAsync(NpgsqlConnection c, NpgsqlTransaction t, SnapshotRecord snapshot, IReadOnlyList<KeyValuePair<string, string>> tags, string? copyBlocksFrom)
    {
        try
        {
            await using var insert = PostgresDatabase.Command(c,
                "INSERT INTO snapshots (snapshot_id, owner_id, status, client_token, deadline, record) VALUES (@id, @owner, @status, @token, @deadline, @record);", t,
                ("@id", snapshot.SnapshotId), ("@owner", snapshot.OwnerId), ("@status", snapshot.Status), ("@token", snapshot.ClientToken),
                ("@deadline", snapshot.Deadline), ("@record", CatalogJson.Serialize(snapshot)));
            await insert.ExecuteNonQueryAsync();
        }
        catch (PostgresException e) when (PostgresDatabase.IsUniqueViolation(e))
        {
            throw new CatalogConflictException($"Client token {snapshot.ClientToken} was already used by account {snapshot.OwnerId}.");
        }

        if (copyBlocksFrom is not null)
        {
            await using var copy = PostgresDatabase.Command(c,
                "INSERT INTO snapshot_blocks (snapshot_id, block_index, hash, inherited) SELECT @to, block_index, hash, true FROM snapshot_blocks WHERE snapshot_id = @from;", t,
                ("@to", snapshot.SnapshotId), ("@from", copyBlocksFrom));
            await copy.ExecuteNonQueryAsync();
        }

        await PostgresTagCatalog.UpsertAsync(c, t, snapshot.OwnerId, snapshot.SnapshotId, tags);
    }
}
