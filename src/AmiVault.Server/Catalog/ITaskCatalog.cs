namespace AmiVault.Catalog;

/// <summary>Store and restore tasks. Admission checks (duplicates, quotas) run in the same transaction as the insert.</summary>
internal interface ITaskCatalog
{
    /// <summary>
    /// Inserts the store task unless one for the same image and bucket is in progress or the account's stores in
    /// progress already reach the quota (the new task's own size does not count, as on AWS).
    /// </summary>
    Task<TaskAdmission> TryAddStoreAsync(StoreTaskRecord task, long quotaBytes, CancellationToken cancellationToken = default);

    Task UpdateStoreAsync(StoreTaskRecord task, CancellationToken cancellationToken = default);

    Task<StoreTaskRecord?> GetStoreAsync(string taskId, CancellationToken cancellationToken = default);

    /// <summary>The owner's store tasks started at or after <paramref name="since"/>, newest first.</summary>
    Task<IReadOnlyList<StoreTaskRecord>> ListStoresAsync(string ownerId, DateTimeOffset since, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<StoreTaskRecord>> ListUnfinishedStoresAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Inserts the restore task together with its pending image and snapshots, unless the name is taken or the
    /// account's restores in progress already reach the restore quota.
    /// </summary>
    Task<TaskAdmission> TryAddRestoreAsync(
        RestoreTaskRecord task,
        ImageRecord image,
        IReadOnlyList<KeyValuePair<string, string>> imageTags,
        IReadOnlyList<(SnapshotRecord Snapshot, IReadOnlyList<KeyValuePair<string, string>> Tags)> snapshots,
        long quotaBytes,
        CancellationToken cancellationToken = default);

    Task UpdateRestoreAsync(RestoreTaskRecord task, CancellationToken cancellationToken = default);

    Task<RestoreTaskRecord?> GetRestoreAsync(string taskId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<RestoreTaskRecord>> ListUnfinishedRestoresAsync(CancellationToken cancellationToken = default);
}
