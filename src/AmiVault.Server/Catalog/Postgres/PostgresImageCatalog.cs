using Npgsql;

namespace AmiVault.Catalog.Postgres;

internal sealed class PostgresImageCatalog(PostgresDatabase db) : IImageCatalog
{
    public Task InsertAsync(ImageRecord image, IReadOnlyList<KeyValuePair<string, string>> tags, CancellationToken cancellationToken = default) =>
        db.WriteAsync((c, t) => InsertAsync(c, t, image, tags), cancellationToken);

    public Task<ImageRecord?> GetAsync(string imageId, CancellationToken cancellationToken = default) =>
        db.ReadAsync(c => PostgresRecords.ReadOneAsync<ImageRecord>(c, null, "SELECT record FROM images WHERE image_id = @p;", ("@p", imageId)), cancellationToken);

    public Task<IReadOnlyList<ImageRecord>> ListAsync(string ownerId, CancellationToken cancellationToken = default) =>
        db.ReadAsync(c => PostgresRecords.ReadManyAsync<ImageRecord>(c, "SELECT record FROM images WHERE owner_id = @p ORDER BY creation_date, image_id COLLATE \"C\";", ("@p", ownerId)), cancellationToken);

    public Task<ImageRecord?> FindByNameAsync(string ownerId, string name, CancellationToken cancellationToken = default) =>
        db.ReadAsync(c => PostgresRecords.ReadOneAsync<ImageRecord>(c, null, "SELECT record FROM images WHERE owner_id = @o AND name = @n;", ("@o", ownerId), ("@n", name)), cancellationToken);

    public Task UpdateStateAsync(string imageId, string state, string? reasonCode, string? reasonMessage, CancellationToken cancellationToken = default) =>
        db.WriteAsync(async (c, t) =>
        {
            var image = await PostgresRecords.ReadOneAsync<ImageRecord>(c, t, "SELECT record FROM images WHERE image_id = @p FOR UPDATE;", ("@p", imageId))
                ?? throw new KeyNotFoundException($"Image {imageId} is not in the catalog.");
            var updated = image with { State = state, StateReasonCode = reasonCode, StateReasonMessage = reasonMessage };
            await using var update = PostgresDatabase.Command(c, "UPDATE images SET state = @s, record = @r WHERE image_id = @i;", t,
                ("@s", state), ("@r", CatalogJson.Serialize(updated)), ("@i", imageId));
            await update.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public Task<bool> DeleteAsync(string imageId, CancellationToken cancellationToken = default) =>
        db.WriteAsync(async (c, t) =>
        {
            foreach (var sql in new[] { "DELETE FROM tags WHERE resource_id = @i;", "DELETE FROM resource_permissions WHERE resource_id = @i;" })
            {
                await using var related = PostgresDatabase.Command(c, sql, t, ("@i", imageId));
                await related.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var delete = PostgresDatabase.Command(c, "DELETE FROM images WHERE image_id = @i;", t, ("@i", imageId));
            return await delete.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken);

    public Task<string?> FindImageUsingSnapshotAsync(string snapshotId, CancellationToken cancellationToken = default) =>
        db.ReadAsync(async c =>
        {
            await using var query = PostgresDatabase.Command(c, "SELECT image_id FROM image_snapshots WHERE snapshot_id = @s LIMIT 1;", null, ("@s", snapshotId));
            return await query.ExecuteScalarAsync(cancellationToken) as string;
        }, cancellationToken);

    /// <summary>Used inside other writes too (a restore adds its image with its task).</summary>
    internal static async Task InsertAsync(NpgsqlConnection c, NpgsqlTransaction t, ImageRecord image, IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        try
        {
            await using var insert = PostgresDatabase.Command(c,
                "INSERT INTO images (image_id, owner_id, name, state, creation_date, record) VALUES (@id, @owner, @name, @state, @created, @record);", t,
                ("@id", image.ImageId), ("@owner", image.OwnerId), ("@name", image.Name), ("@state", image.State),
                ("@created", image.CreationDate), ("@record", CatalogJson.Serialize(image)));
            await insert.ExecuteNonQueryAsync();
        }
        catch (PostgresException e) when (PostgresDatabase.IsUniqueViolation(e))
        {
            throw new CatalogConflictException($"AMI name {image.Name} is already in use by another image of account {image.OwnerId}.");
        }

        foreach (var snapshotId in image.SnapshotIds.Distinct())
        {
            // FOR SHARE holds the snapshot row until commit, so a concurrent DeleteSnapshot (which deletes that row)
            // waits and then sees the mapping: no image can map a snapshot that is gone.
            await using (var check = PostgresDatabase.Command(c, "SELECT 1 FROM snapshots WHERE snapshot_id = @s AND owner_id = @o FOR SHARE;", t,
                ("@s", snapshotId), ("@o", image.OwnerId)))
            {
                if (await check.ExecuteScalarAsync() is null)
                {
                    throw new CatalogConflictException($"Snapshot {snapshotId} is not a snapshot of account {image.OwnerId}.");
                }
            }

            await using var link = PostgresDatabase.Command(c, "INSERT INTO image_snapshots (image_id, snapshot_id) VALUES (@i, @s);", t, ("@i", image.ImageId), ("@s", snapshotId));
            await link.ExecuteNonQueryAsync();
        }

        await PostgresTagCatalog.UpsertAsync(c, t, image.OwnerId, image.ImageId, tags);
    }
}
