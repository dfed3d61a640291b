using Npgsql;

namespace AmiVault.Catalog.Postgres;

/// <summary>
/// Tasks in PostgreSQL. Admission takes an advisory transaction lock per account, so concurrent requests to
/// different nodes are admitted one after the other: the quota sum and the "one store of an image into a bucket"
/// check each see every task admitted before, cluster-wide.
/// </summary>
internal sealed class PostgresTaskCatalog(PostgresDatabase db) : ITaskCatalog
{
    public Task<TaskAdmission> TryAddStoreAsync(StoreTaskRecord task, long quotaBytes, CancellationToken cancellationToken = default) =>
        db.WriteAsync(async (c, t) =>
        {
            await PostgresDatabase.LockAsync(c, t, "tasks:" + task.OwnerId);
            await using (var duplicate = PostgresDatabase.Command(c,
                "SELECT 1 FROM store_tasks WHERE image_id = @i AND bucket = @b AND state = 'InProgress' LIMIT 1;", t,
                ("@i", task.ImageId), ("@b", task.Bucket)))
            {
                if (await duplicate.ExecuteScalarAsync(cancellationToken) is not null)
                {
                    return TaskAdmission.AlreadyInProgress;
                }
            }

            if (await InProgressBytesAsync(c, t, "store_tasks", task.OwnerId) >= quotaBytes)
            {
                return TaskAdmission.QuotaExceeded;
            }

            await WriteAsync(c, t, "store_tasks", task.TaskId, task.OwnerId, task.ImageId, task.State, task.StartTime, task.SizeBytes, CatalogJson.Serialize(task), insert: true, task.Bucket);
            return TaskAdmission.Admitted;
        }, cancellationToken);

    public Task UpdateStoreAsync(StoreTaskRecord task, CancellationToken cancellationToken = default) =>
        db.WriteAsync((c, t) => WriteAsync(c, t, "store_tasks", task.TaskId, task.OwnerId, task.ImageId, task.State, task.StartTime, task.SizeBytes, CatalogJson.Serialize(task), insert: false, task.Bucket), cancellationToken);

    public Task<StoreTaskRecord?> GetStoreAsync(string taskId, CancellationToken cancellationToken = default) =>
        db.ReadAsync(c => PostgresRecords.ReadOneAsync<StoreTaskRecord>(c, null, "SELECT record FROM store_tasks WHERE task_id = @p;", ("@p", taskId)), cancellationToken);

    public Task<IReadOnlyList<StoreTaskRecord>> ListStoresAsync(string ownerId, DateTimeOffset since, CancellationToken cancellationToken = default) =>
        db.ReadAsync(c => PostgresRecords.ReadManyAsync<StoreTaskRecord>(c,
            "SELECT record FROM store_tasks WHERE owner_id = @p AND start_time >= @since ORDER BY start_time DESC, task_id COLLATE \"C\" DESC;", ("@p", ownerId), ("@since", since)), cancellationToken);

    public Task<IReadOnlyList<StoreTaskRecord>> ListUnfinishedStoresAsync(CancellationToken cancellationToken = default) =>
        db.ReadAsync(c => PostgresRecords.ReadManyAsync<StoreTaskRecord>(c, "SELECT record FROM store_tasks WHERE state = @p ORDER BY start_time;", ("@p", TaskStates.InProgress)), cancellationToken);

    public Task<TaskAdmission> TryAddRestoreAsync(
        RestoreTaskRecord task,
        ImageRecord image,
        IReadOnlyList<KeyValuePair<string, string>> imageTags,
        IReadOnlyList<(SnapshotRecord Snapshot, IReadOnlyList<KeyValuePair<string, string>> Tags)> snapshots,
        long quotaBytes,
        CancellationToken cancellationToken = default) =>
        db.WriteAsync(async (c, t) =>
        {
            await PostgresDatabase.LockAsync(c, t, "tasks:" + task.OwnerId);
            await using (var nameTaken = PostgresDatabase.Command(c, "SELECT 1 FROM images WHERE owner_id = @o AND name = @n;", t, ("@o", image.OwnerId), ("@n", image.Name)))
            {
                if (await nameTaken.ExecuteScalarAsync(cancellationToken) is not null)
                {
                    return TaskAdmission.NameInUse;
                }
            }

            if (await InProgressBytesAsync(c, t, "restore_tasks", task.OwnerId) >= quotaBytes)
            {
                return TaskAdmission.QuotaExceeded;
            }

            foreach (var (snapshot, tags) in snapshots)
            {
                await PostgresSnapshotCatalog.InsertAsync(c, t, snapshot, tags, copyBlocksFrom: null);
            }

            await PostgresImageCatalog.InsertAsync(c, t, image, imageTags);
            await WriteAsync(c, t, "restore_tasks", task.TaskId, task.OwnerId, task.ImageId, task.State, task.StartTime, task.SizeBytes, CatalogJson.Serialize(task), insert: true, bucket: null);
            return TaskAdmission.Admitted;
        }, cancellationToken);

    public Task UpdateRestoreAsync(RestoreTaskRecord task, CancellationToken cancellationToken = default) =>
        db.WriteAsync((c, t) => WriteAsync(c, t, "restore_tasks", task.TaskId, task.OwnerId, task.ImageId, task.State, task.StartTime, task.SizeBytes, CatalogJson.Serialize(task), insert: false, bucket: null), cancellationToken);

    public Task<RestoreTaskRecord?> GetRestoreAsync(string taskId, CancellationToken cancellationToken = default) =>
        db.ReadAsync(c => PostgresRecords.ReadOneAsync<RestoreTaskRecord>(c, null, "SELECT record FROM restore_tasks WHERE task_id = @p;", ("@p", taskId)), cancellationToken);

    public Task<IReadOnlyList<RestoreTaskRecord>> ListUnfinishedRestoresAsync(CancellationToken cancellationToken = default) =>
        db.ReadAsync(c => PostgresRecords.ReadManyAsync<RestoreTaskRecord>(c, "SELECT record FROM restore_tasks WHERE state = @p ORDER BY start_time;", ("@p", TaskStates.InProgress)), cancellationToken);

    /// <summary>AWS's rule, as in SQLite: admitted while what is already in progress is under the quota.</summary>
    private static async Task<long> InProgressBytesAsync(NpgsqlConnection c, NpgsqlTransaction t, string table, string ownerId)
    {
        await using var sum = PostgresDatabase.Command(c, $"SELECT COALESCE(SUM(size_bytes), 0)::bigint FROM {table} WHERE owner_id = @o AND state = 'InProgress';", t, ("@o", ownerId));
        return (long)(await sum.ExecuteScalarAsync())!;
    }

    private static async Task WriteAsync(NpgsqlConnection c, NpgsqlTransaction t, string table, string taskId, string ownerId, string imageId, string state,
        DateTimeOffset startTime, long sizeBytes, string record, bool insert, string? bucket)
    {
        var bucketColumn = bucket is null ? "" : ", bucket";
        var bucketValue = bucket is null ? "" : ", @bucket";
        var sql = insert
            ? $"INSERT INTO {table} (task_id, owner_id, image_id, state, start_time, size_bytes, record{bucketColumn}) VALUES (@id, @owner, @image, @state, @start, @size, @record{bucketValue});"
            : $"UPDATE {table} SET state = @state, record = @record WHERE task_id = @id;";
        (string, object?)[] parameters = [("@id", taskId), ("@owner", ownerId), ("@image", imageId), ("@state", state), ("@start", startTime), ("@size", sizeBytes), ("@record", record)];
        await using var command = PostgresDatabase.Command(c, sql, t, bucket is null ? parameters : [.. parameters, ("@bucket", bucket)]);
        if (await command.ExecuteNonQueryAsync() == 0)
        {
            throw new KeyNotFoundException($"Task {taskId} is not in the catalog.");
        }
    }
}
