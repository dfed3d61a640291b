using Microsoft.Data.Sqlite;

namespace AmiVault.Catalog.Sqlite;

internal sealed class SqliteImageCatalog(SqliteDatabase db) : IImageCatalog
{
    public Task InsertAsync(ImageRecord image, IReadOnlyList<KeyValuePair<string, string>> tags, CancellationToken cancellationToken = default) =>
        db.WriteAsync((c, t) => Insert(c, t, image, tags), cancellationToken);

    public Task<ImageRecord?> GetAsync(string imageId, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Read(c => ReadOne(c, "SELECT record FROM images WHERE image_id = $p;", imageId)));

    public Task<IReadOnlyList<ImageRecord>> ListAsync(string ownerId, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<ImageRecord>>(db.Read(c =>
        {
            using var query = SqliteDatabase.Command(c, "SELECT record FROM images WHERE owner_id = $p ORDER BY creation_date, image_id;", null, ("$p", ownerId));
            using var reader = query.ExecuteReader();
            var images = new List<ImageRecord>();
            while (reader.Read())
            {
                images.Add(CatalogJson.Deserialize<ImageRecord>(reader.GetString(0)));
            }

            return images;
        }));

    public Task<ImageRecord?> FindByNameAsync(string ownerId, string name, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Read(c =>
        {
            using var query = SqliteDatabase.Command(c, "SELECT record FROM images WHERE owner_id = $o AND name = $n;", null, ("$o", ownerId), ("$n", name));
            return query.ExecuteScalar() is string json ? CatalogJson.Deserialize<ImageRecord>(json) : null;
        }));

    public Task UpdateStateAsync(string imageId, string state, string? reasonCode, string? reasonMessage, CancellationToken cancellationToken = default) =>
        db.WriteAsync((c, t) =>
        {
            var image = ReadOne(c, "SELECT record FROM images WHERE image_id = $p;", imageId, t)
                ?? throw new KeyNotFoundException($"Image {imageId} is not in the catalog.");
            var updated = image with { State = state, StateReasonCode = reasonCode, StateReasonMessage = reasonMessage };
            using var update = SqliteDatabase.Command(c, "UPDATE images SET state = $s, record = $r WHERE image_id = $i;", t,
                ("$s", state), ("$r", CatalogJson.Serialize(updated)), ("$i", imageId));
            update.ExecuteNonQuery();
        }, cancellationToken);

    public Task<bool> DeleteAsync(string imageId, CancellationToken cancellationToken = default) =>
        db.WriteAsync((c, t) =>
        {
            foreach (var sql in new[] { "DELETE FROM tags WHERE resource_id = $i;", "DELETE FROM resource_permissions WHERE resource_id = $i;" })
            {
                using var related = SqliteDatabase.Command(c, sql, t, ("$i", imageId));
                related.ExecuteNonQuery();
            }

            using var delete = SqliteDatabase.Command(c, "DELETE FROM images WHERE image_id = $i;", t, ("$i", imageId));
            return delete.ExecuteNonQuery() > 0;
        }, cancellationToken);

    public Task<string?> FindImageUsingSnapshotAsync(string snapshotId, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Read(c =>
        {
            using var query = SqliteDatabase.Command(c, "SELECT image_id FROM image_snapshots WHERE snapshot_id = $s LIMIT 1;", null, ("$s", snapshotId));
            return query.ExecuteScalar() as string;
        }));

    private static ImageRecord? ReadOne(SqliteConnection c, string sql, string parameter, SqliteTransaction? t = null)
    {
        using var query = SqliteDatabase.Command(c, sql, t, ("$p", parameter));
        return query.ExecuteScalar() is string json ? CatalogJson.Deserialize<ImageRecord>(json) : null;
    }

    /// <summary>Used inside other writes too (a restore adds its image with its task).</summary>
    internal static void Insert(SqliteConnection c, SqliteTransaction t, ImageRecord image, IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        try
        {
            using var insert = SqliteDatabase.Command(c,
                "INSERT INTO images (image_id, owner_id, name, state, creation_date, record) VALUES ($id, $owner, $name, $state, $created, $record);", t,
                ("$id", image.ImageId), ("$owner", image.OwnerId), ("$name", image.Name), ("$state", image.State),
                ("$created", CatalogJson.Time(image.CreationDate)), ("$record", CatalogJson.Serialize(image)));
            insert.ExecuteNonQuery();
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw new CatalogConflictException($"AMI name {image.Name} is already in use by another image of account {image.OwnerId}.");
        }

        foreach (var snapshotId in image.SnapshotIds.Distinct())
        {
            // Checked inside the serialized write, so a concurrent snapshot deletion cannot leave an image mapping a
            // snapshot that is gone.
            using (var check = SqliteDatabase.Command(c, "SELECT 1 FROM snapshots WHERE snapshot_id = $s AND owner_id = $o;", t,
                ("$s", snapshotId), ("$o", image.OwnerId)))
            {
                if (check.ExecuteScalar() is null)
                {
                    throw new CatalogConflictException($"Snapshot {snapshotId} is not a snapshot of account {image.OwnerId}.");
                }
            }

            using var link = SqliteDatabase.Command(c, "INSERT INTO image_snapshots (image_id, snapshot_id) VALUES ($i, $s);", t, ("$i", image.ImageId), ("$s", snapshotId));
            link.ExecuteNonQuery();
        }

        SqliteTagCatalog.Upsert(c, t, image.OwnerId, image.ImageId, tags);
    }
}
