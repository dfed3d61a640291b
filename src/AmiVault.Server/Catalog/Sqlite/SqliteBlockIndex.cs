using Microsoft.Data.Sqlite;

namespace AmiVault.Catalog.Sqlite;

/// <summary>The block index in the catalog's SQLite file; writes join the catalog writer's group commits.</summary>
internal sealed class SqliteBlockIndex(SqliteDatabase db) : IBlockIndex
{
    public Task<BlockLocation?> FindAsync(byte[] hash, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Read<BlockLocation?>(c =>
        {
            using var query = SqliteDatabase.Command(c, "SELECT pack_id, offset, length FROM block_locations WHERE hash = $h;", null, ("$h", hash));
            using var reader = query.ExecuteReader();
            return reader.Read() ? new BlockLocation(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt32(2)) : null;
        }));

    public Task CommitAsync(IReadOnlyList<BlockPlacement> placements, CancellationToken cancellationToken = default) =>
        db.WriteAsync((c, t) =>
        {
            var usage = new Dictionary<long, (long Bytes, long Blocks)>();
            using var pack = SqliteDatabase.Command(c, "INSERT OR IGNORE INTO block_packs (pack_id) VALUES ($p);", t, ("$p", 0L));
            using var insert = SqliteDatabase.Command(c,
                "INSERT INTO block_locations (hash, pack_id, offset, length) VALUES ($h, $p, $o, $l) ON CONFLICT (hash) DO NOTHING;", t,
                ("$h", Array.Empty<byte>()), ("$p", 0L), ("$o", 0L), ("$l", 0));
            using var move = SqliteDatabase.Command(c,
                "UPDATE block_locations SET pack_id = $p, offset = $o, length = $l WHERE hash = $h AND pack_id = $fp AND offset = $fo;", t,
                ("$h", Array.Empty<byte>()), ("$p", 0L), ("$o", 0L), ("$l", 0), ("$fp", 0L), ("$fo", 0L));
            foreach (var placement in placements)
            {
                var to = placement.Location;
                if (!usage.ContainsKey(to.PackId))
                {
                    pack.Parameters["$p"].Value = to.PackId;
                    pack.ExecuteNonQuery();
                    usage[to.PackId] = (0, 0);
                }

                var command = placement.MovedFrom is null ? insert : move;
                command.Parameters["$h"].Value = placement.Hash;
                command.Parameters["$p"].Value = to.PackId;
                command.Parameters["$o"].Value = to.Offset;
                command.Parameters["$l"].Value = to.Length;
                if (placement.MovedFrom is { } from)
                {
                    command.Parameters["$fp"].Value = from.PackId;
                    command.Parameters["$fo"].Value = from.Offset;
                }

                if (command.ExecuteNonQuery() == 0)
                {
                    continue; // already stored, or reclaimed while being moved: the new record is dead space
                }

                Add(usage, to.PackId, to.Length, 1);
                if (placement.MovedFrom is { } moved)
                {
                    Add(usage, moved.PackId, -moved.Length, -1);
                }
            }

            ApplyUsage(c, t, usage);
        }, cancellationToken);

    public Task<int> RemoveUnreferencedAsync(IReadOnlyList<byte[]> hashes, CancellationToken cancellationToken = default) =>
        db.WriteAsync((c, t) =>
        {
            var usage = new Dictionary<long, (long Bytes, long Blocks)>();
            using var remove = SqliteDatabase.Command(c,
                "DELETE FROM block_locations WHERE hash = $h AND NOT EXISTS (SELECT 1 FROM snapshot_blocks WHERE hash = $h) RETURNING pack_id, length;", t,
                ("$h", Array.Empty<byte>()));
            var removed = 0;
            foreach (var hash in hashes)
            {
                remove.Parameters["$h"].Value = hash;
                using var reader = remove.ExecuteReader();
                while (reader.Read())
                {
                    Add(usage, reader.GetInt64(0), -reader.GetInt64(1), -1);
                    removed++;
                }
            }

            ApplyUsage(c, t, usage);
            return removed;
        }, cancellationToken);

    public Task<int> SweepUnreferencedAsync(long belowPackId = long.MaxValue, CancellationToken cancellationToken = default) =>
        db.WriteAsync((c, t) =>
        {
            int removed;
            using (var sweep = SqliteDatabase.Command(c,
                "DELETE FROM block_locations WHERE pack_id < @below AND NOT EXISTS (SELECT 1 FROM snapshot_blocks s WHERE s.hash = block_locations.hash);", t,
                ("@below", belowPackId)))
            {
                removed = sweep.ExecuteNonQuery();
            }

            using var recount = SqliteDatabase.Command(c,
                """
                UPDATE block_packs SET
                    live_bytes = (SELECT COALESCE(SUM(length), 0) FROM block_locations l WHERE l.pack_id = block_packs.pack_id),
                    live_blocks = (SELECT COUNT(*) FROM block_locations l WHERE l.pack_id = block_packs.pack_id);
                """, t);
            recount.ExecuteNonQuery();
            return removed;
        }, cancellationToken);

    public Task<IReadOnlyList<PackUsage>> ListPacksAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Read<IReadOnlyList<PackUsage>>(c =>
        {
            using var query = SqliteDatabase.Command(c, "SELECT pack_id, live_bytes, live_blocks FROM block_packs ORDER BY pack_id;");
            using var reader = query.ExecuteReader();
            var packs = new List<PackUsage>();
            while (reader.Read())
            {
                packs.Add(new PackUsage(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2)));
            }

            return packs;
        }));

    public Task<IReadOnlyList<BlockPlacement>> ListInPackAsync(long packId, long fromOffset, int limit, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Read<IReadOnlyList<BlockPlacement>>(c =>
        {
            using var query = SqliteDatabase.Command(c,
                "SELECT hash, offset, length FROM block_locations WHERE pack_id = $p AND offset >= $o ORDER BY offset LIMIT $n;", null,
                ("$p", packId), ("$o", fromOffset), ("$n", limit));
            using var reader = query.ExecuteReader();
            var placements = new List<BlockPlacement>();
            while (reader.Read())
            {
                placements.Add(new BlockPlacement((byte[])reader[0], new BlockLocation(packId, reader.GetInt64(1), reader.GetInt32(2))));
            }

            return placements;
        }));

    public Task<long> PackEndAsync(long packId, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Read(c =>
        {
            using var query = SqliteDatabase.Command(c,
                "SELECT offset + length FROM block_locations WHERE pack_id = $p ORDER BY offset DESC LIMIT 1;", null, ("$p", packId));
            return query.ExecuteScalar() is long end ? end : 0L;
        }));

    public Task<bool> RemovePackAsync(long packId, CancellationToken cancellationToken = default) =>
        db.WriteAsync((c, t) =>
        {
            using var remove = SqliteDatabase.Command(c,
                "DELETE FROM block_packs WHERE pack_id = $p AND NOT EXISTS (SELECT 1 FROM block_locations WHERE pack_id = $p);", t, ("$p", packId));
            using var known = SqliteDatabase.Command(c, "SELECT 1 FROM block_packs WHERE pack_id = $p;", t, ("$p", packId));
            return remove.ExecuteNonQuery() > 0 || known.ExecuteScalar() is null;
        }, cancellationToken);

    public Task<long> CountAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Read(c =>
        {
            using var query = SqliteDatabase.Command(c, "SELECT COUNT(*) FROM block_locations;");
            return (long)query.ExecuteScalar()!;
        }));

    private static void Add(Dictionary<long, (long Bytes, long Blocks)> usage, long packId, long bytes, long blocks)
    {
        var (b, n) = usage.GetValueOrDefault(packId);
        usage[packId] = (b + bytes, n + blocks);
    }

    private static void ApplyUsage(SqliteConnection c, SqliteTransaction t, Dictionary<long, (long Bytes, long Blocks)> usage)
    {
        using var update = SqliteDatabase.Command(c,
            "UPDATE block_packs SET live_bytes = live_bytes + $b, live_blocks = live_blocks + $n WHERE pack_id = $p;", t,
            ("$b", 0L), ("$n", 0L), ("$p", 0L));
        foreach (var (packId, (bytes, blocks)) in usage)
        {
            if (bytes == 0 && blocks == 0)
            {
                continue;
            }

            update.Parameters["$b"].Value = bytes;
            update.Parameters["$n"].Value = blocks;
            update.Parameters["$p"].Value = packId;
            update.ExecuteNonQuery();
        }
    }
}
