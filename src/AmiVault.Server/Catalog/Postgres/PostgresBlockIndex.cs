using Npgsql;

namespace AmiVault.Catalog.Postgres;

/// <summary>
/// The block index in PostgreSQL, beside snapshot_blocks so "no snapshot references it" and "remove its location"
/// stay one transaction. It indexes the packs of the one block store that writes them: with local packs that is
/// one node's folder, so a cluster of several nodes needs a shared block store (the s3 block backend) instead.
/// </summary>
internal sealed class PostgresBlockIndex(PostgresDatabase db) : IBlockIndex
{
    public Task<BlockLocation?> FindAsync(byte[] hash, CancellationToken cancellationToken = default) =>
        db.ReadAsync<BlockLocation?>(async c =>
        {
            await using var query = PostgresDatabase.Command(c, "SELECT pack_id, \"offset\", length FROM block_locations WHERE hash = @h;", null, ("@h", hash));
            await using var reader = await query.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken) ? new BlockLocation(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt32(2)) : null;
        }, cancellationToken);

    public Task CommitAsync(IReadOnlyList<BlockPlacement> placements, CancellationToken cancellationToken = default) =>
        db.WriteAsync(async (c, t) =>
        {
            var usage = new Dictionary<long, (long Bytes, long Blocks)>();
            foreach (var placement in placements)
            {
                var to = placement.Location;
                if (!usage.ContainsKey(to.PackId))
                {
                    await using var pack = PostgresDatabase.Command(c, "INSERT INTO block_packs (pack_id) VALUES (@p) ON CONFLICT DO NOTHING;", t, ("@p", to.PackId));
                    await pack.ExecuteNonQueryAsync(cancellationToken);
                    usage[to.PackId] = (0, 0);
                }

                await using var command = placement.MovedFrom is { } from
                    ? PostgresDatabase.Command(c,
                        "UPDATE block_locations SET pack_id = @p, \"offset\" = @o, length = @l WHERE hash = @h AND pack_id = @fp AND \"offset\" = @fo;", t,
                        ("@h", placement.Hash), ("@p", to.PackId), ("@o", to.Offset), ("@l", to.Length), ("@fp", from.PackId), ("@fo", from.Offset))
                    : PostgresDatabase.Command(c,
                        "INSERT INTO block_locations (hash, pack_id, \"offset\", length) VALUES (@h, @p, @o, @l) ON CONFLICT (hash) DO NOTHING;", t,
                        ("@h", placement.Hash), ("@p", to.PackId), ("@o", to.Offset), ("@l", to.Length));
                if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
                {
                    continue; // already stored, or reclaimed while being moved: the new record is dead space
                }

                Add(usage, to.PackId, to.Length, 1);
                if (placement.MovedFrom is { } moved)
                {
                    Add(usage, moved.PackId, -moved.Length, -1);
                }
            }

            await ApplyUsageAsync(c, t, usage);
        }, cancellationToken);

    public Task<int> RemoveUnreferencedAsync(IReadOnlyList<byte[]> hashes, CancellationToken cancellationToken = default) =>
        db.WriteAsync(async (c, t) =>
        {
            var usage = new Dictionary<long, (long Bytes, long Blocks)>();
            var removed = 0;
            foreach (var hash in hashes)
            {
                await using var remove = PostgresDatabase.Command(c,
                    "DELETE FROM block_locations WHERE hash = @h AND NOT EXISTS (SELECT 1 FROM snapshot_blocks WHERE hash = @h) RETURNING pack_id, length;", t, ("@h", hash));
                await using var reader = await remove.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    Add(usage, reader.GetInt64(0), -reader.GetInt32(1), -1);
                    removed++;
                }
            }

            await ApplyUsageAsync(c, t, usage);
            return removed;
        }, cancellationToken);

    public Task<int> SweepUnreferencedAsync(long belowPackId = long.MaxValue, CancellationToken cancellationToken = default) =>
        db.WriteAsync(async (c, t) =>
        {
            // Usage is taken off by what was removed, not recounted: other nodes commit into their packs meanwhile,
            // and a recount could miss their rows; increments add up whichever transaction commits first.
            var usage = new Dictionary<long, (long Bytes, long Blocks)>();
            var removed = 0;
            await using (var sweep = PostgresDatabase.Command(c,
                "DELETE FROM block_locations l WHERE l.pack_id < @below AND NOT EXISTS (SELECT 1 FROM snapshot_blocks s WHERE s.hash = l.hash) RETURNING pack_id, length;", t,
                ("@below", belowPackId)))
            {
                await using var reader = await sweep.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    Add(usage, reader.GetInt64(0), -reader.GetInt32(1), -1);
                    removed++;
                }
            }

            await ApplyUsageAsync(c, t, usage);
            return removed;
        }, cancellationToken);

    public Task<IReadOnlyList<PackUsage>> ListPacksAsync(CancellationToken cancellationToken = default) =>
        db.ReadAsync<IReadOnlyList<PackUsage>>(async c =>
        {
            await using var query = PostgresDatabase.Command(c, "SELECT pack_id, live_bytes, live_blocks FROM block_packs ORDER BY pack_id;");
            await using var reader = await query.ExecuteReaderAsync(cancellationToken);
            var packs = new List<PackUsage>();
            while (await reader.ReadAsync(cancellationToken))
            {
                packs.Add(new PackUsage(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2)));
            }

            return packs;
        }, cancellationToken);

    public Task<IReadOnlyList<BlockPlacement>> ListInPackAsync(long packId, long fromOffset, int limit, CancellationToken cancellationToken = default) =>
        db.ReadAsync<IReadOnlyList<BlockPlacement>>(async c =>
        {
            await using var query = PostgresDatabase.Command(c,
                "SELECT hash, \"offset\", length FROM block_locations WHERE pack_id = @p AND \"offset\" >= @o ORDER BY \"offset\" LIMIT @n;", null,
                ("@p", packId), ("@o", fromOffset), ("@n", limit));
            await using var reader = await query.ExecuteReaderAsync(cancellationToken);
            var placements = new List<BlockPlacement>();
            while (await reader.ReadAsync(cancellationToken))
            {
                placements.Add(new BlockPlacement((byte[])reader[0], new BlockLocation(packId, reader.GetInt64(1), reader.GetInt32(2))));
            }

            return placements;
        }, cancellationToken);

    public Task<long> PackEndAsync(long packId, CancellationToken cancellationToken = default) =>
        db.ReadAsync(async c =>
        {
            await using var query = PostgresDatabase.Command(c,
                "SELECT \"offset\" + length FROM block_locations WHERE pack_id = @p ORDER BY \"offset\" DESC LIMIT 1;", null, ("@p", packId));
            return await query.ExecuteScalarAsync(cancellationToken) is long end ? end : 0L;
        }, cancellationToken);

    public Task<bool> RemovePackAsync(long packId, CancellationToken cancellationToken = default) =>
        db.WriteAsync(async (c, t) =>
        {
            await using var remove = PostgresDatabase.Command(c,
                "DELETE FROM block_packs WHERE pack_id = @p AND NOT EXISTS (SELECT 1 FROM block_locations WHERE pack_id = @p);", t, ("@p", packId));
            if (await remove.ExecuteNonQueryAsync(cancellationToken) > 0)
            {
                return true;
            }

            await using var known = PostgresDatabase.Command(c, "SELECT 1 FROM block_packs WHERE pack_id = @p;", t, ("@p", packId));
            return await known.ExecuteScalarAsync(cancellationToken) is null;
        }, cancellationToken);

    public Task<long> CountAsync(CancellationToken cancellationToken = default) =>
        db.ReadAsync(async c =>
        {
            await using var query = PostgresDatabase.Command(c, "SELECT COUNT(*) FROM block_locations;");
            return (long)(await query.ExecuteScalarAsync(cancellationToken))!;
        }, cancellationToken);

    private static void Add(Dictionary<long, (long Bytes, long Blocks)> usage, long packId, long bytes, long blocks)
    {
        var (b, n) = usage.GetValueOrDefault(packId);
        usage[packId] = (b + bytes, n + blocks);
    }

    private static async Task ApplyUsageAsync(NpgsqlConnection c, NpgsqlTransaction t, Dictionary<long, (long Bytes, long Blocks)> usage)
    {
        foreach (var (packId, (bytes, blocks)) in usage)
        {
            if (bytes == 0 && blocks == 0)
            {
                continue;
            }

            await using var update = PostgresDatabase.Command(c,
                "UPDATE block_packs SET live_bytes = live_bytes + @b, live_blocks = live_blocks + @n WHERE pack_id = @p;", t,
                ("@b", bytes), ("@n", blocks), ("@p", packId));
            await update.ExecuteNonQueryAsync();
        }
    }
}
