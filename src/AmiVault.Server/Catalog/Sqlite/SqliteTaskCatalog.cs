using Microsoft.Data.Sqlite;

namespace AmiVault.Catalog.Sqlite;

internal sealed class SqliteTaskCatalog(SqliteDatabase db) : ITaskCatalog
{
    public Task<TaskAdmission> TryAddStoreAsync(StoreTaskRecord task, long quotaBytes, CancellationToken cancellationToken = default) =>
        db.WriteAsync((c, t) =>
        {
            using (var duplicate = SqliteDatabase.Command(c,
                "SELECT 1 FROM store_tasks WHERE image_id = $i AND bucket = $b AND state = 'InProgress' LIMIT 1;", t,
                ("$i", task.ImageId), ("$b", task.Bucket)))
            {
                if (duplicate.ExecuteScalar() is not null)
                {
                    return TaskAdmission.AlreadyInProgress;
                }
            }

            if (InProgressBytes(c, t, "store_tasks", task.OwnerId) >= quotaBytes)
            {
                return TaskAdmission.QuotaExceeded;
            }

            Write(c, t, "store_tasks", task.TaskId, task.OwnerId, task.ImageId, task.State, task.StartTime, task.SizeBytes, CatalogJson.Serialize(task), insert: true, task.Bucket);
            return TaskAdmission.Admitted;
        }, cancellationToken);

    public Task UpdateStoreAsync(StoreTaskRecord task, CancellationToken cancellationToken = default) =>
        db.WriteAsync((c, t) => Write(c, t, "store_tasks", task.TaskId, task.OwnerId, task.ImageId, task.State, task.StartTime, task.SizeBytes, CatalogJson.Serialize(task), insert: false, task.Bucket), cancellationToken);

    public Task<StoreTaskRecord?> GetStoreAsync(string taskId, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Read(c => ReadMany<StoreTaskRecord>(c, "SELECT record FROM store_tasks WHERE task_id = $p;", taskId).FirstOrDefault()));

    public Task<IReadOnlyList<StoreTaskRecord>> ListStoresAsync(string ownerId, DateTimeOffset since, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Read(c => ReadMany<StoreTaskRecord>(c,
            "SELECT record FROM store_tasks WHERE owner_id = $p AND start_time >= $since ORDER BY start_time DESC, task_id DESC;", ownerId,
            ("$since", CatalogJson.Time(since)))));

    public Task<IReadOnlyList<StoreTaskRecord>> ListUnfinishedStoresAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Read(c => ReadMany<StoreTaskRecord>(c, "SELECT record FROM store_tasks WHERE state = $p ORDER BY start_time;", TaskStates.InProgress)));

    public Task<TaskAdmission> TryAddRestoreAsync(
        RestoreTaskRecord task,
        ImageRecord image,
        IReadOnlyList<KeyValuePair<string, string>> imageTags,
        IReadOnlyList<(SnapshotRecord Snapshot, IReadOnlyList<KeyValuePair<string, string>> Tags)> snapshots,
        long quotaBytes,
        CancellationToken cancellationToken = default) =>
        db.WriteAsync((c, t) =>
        {
            using (var nameTaken = SqliteDatabase.Command(c, "SELECT 1 FROM images WHERE owner_id = $o AND name = $n;", t, ("$o", image.OwnerId), ("$n", image.Name)))
            {
                if (nameTaken.ExecuteScalar() is not null)
                {
                    return TaskAdmission.NameInUse;
                }
            }

            if (InProgressBytes(c, t, "restore_tasks", task.OwnerId) >= quotaBytes)
            {
                return TaskAdmission.QuotaExceeded;
            }

            foreach (var (snapshot, tags) in snapshots)
            {
                SqliteSnapshotCatalog.Insert(c, t, snapshot, tags, copyBlocksFrom: null);
            }

            SqliteImageCatalog.Insert(c, t, image, imageTags);
            Write(c, t, "restore_tasks", task.TaskId, task.OwnerId, task.ImageId, task.State, task.StartTime, task.SizeBytes, CatalogJson.Serialize(task), insert: true, bucket: null);
            return TaskAdmission.Admitted;
        }, cancellationToken);

    public Task UpdateRestoreAsync(RestoreTaskRecord task, CancellationToken cancellationToken = default) =>
        db.WriteAsync((c, t) => Write(c, t, "restore_tasks", task.TaskId, task.OwnerId, task.ImageId, task.State, task.StartTime, task.SizeBytes, CatalogJson.Serialize(task), insert: false, bucket: null), cancellationToken);

    public Task<RestoreTaskRecord?> GetRestoreAsync(string taskId, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Read(c => ReadMany<RestoreTaskRecord>(c, "SELECT record FROM restore_tasks WHERE task_id = $p;", taskId).FirstOrDefault()));

    public Task<IReadOnlyList<RestoreTaskRecord>> ListUnfinishedRestoresAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Read(c => ReadMany<RestoreTaskRecord>(c, "SELECT record FROM restore_tasks WHERE state = $p ORDER BY start_time;", TaskStates.InProgress)));

    /// <summary>
    /// AWS's rule: a task is admitted while what is already in progress is less than the quota; the new task's own
    /// size does not count, so one image larger than the quota can be stored (or restored) when nothing else runs.
    /// </summary>
    private static long InProgressBytes(SqliteConnection c, SqliteTransaction t, string table, string ownerId)
    {
        using var sum = SqliteDatabase.Command(c, $"SELECT COALESCE(SUM(size_bytes), 0) FROM {table} WHERE owner_id = $o AND state = 'InProgress';", t, ("$o", ownerId));
        return (long)sum.ExecuteScalar()!;
    }

    private static void Write(SqliteConnection c, SqliteTransaction t, string table, string taskId, string ownerId, string imageId, string state,
        DateTimeOffset startTime, long sizeBytes, string record, bool insert, string? bucket)
    {
        var bucketColumn = bucket is null ? "" : ", bucket";
        var bucketValue = bucket is null ? "" : ", $bucket";
        var sql = insert
            ? $"INSERT INTO {table} (task_id, owner_id, image_id, state, start_time, size_bytes, record{bucketColumn}) VALUES ($id, $owner, $image, $state, $start, $size, $record{bucketValue});"
            : $"UPDATE {table} SET state = $state, record = $record WHERE task_id = $id;";
        using var command = SqliteDatabase.Command(c, sql, t,
            ("$id", taskId), ("$owner", ownerId), ("$image", imageId), ("$state", state), ("$start", CatalogJson.Time(startTime)),
            ("$size", sizeBytes), ("$record", record), ("$bucket", bucket));
        if (command.ExecuteNonQuery() == 0)
        {
            throw new KeyNotFoundException($"Task {taskId} is not in the catalog.");
        }
    }

    private static IReadOnlyList<T> ReadMany<T>(SqliteConnection c, string sql, string parameter, params (string, object?)[] more)
    {
        using var query = SqliteDatabase.Command(c, sql, null, [("$p", parameter), .. more]);
        using var reader = query.ExecuteReader();
        var records = new List<T>();
        while (reader.Read())
        {
            records.Add(CatalogJson.Deserialize<T>(reader.GetString(0)));
        }

        return records;
    }
}
