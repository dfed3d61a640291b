namespace AmiVault.ObjectStore.Embedded;

/// <summary>The embedded store: buckets as folders under the data folder, each owned by the account that created it.</summary>
internal sealed class EmbeddedObjectStoreProvider(EmbeddedStorage storage) : IObjectStoreProvider
{
    public IObjectStore ForAccount(string accountId) => new EmbeddedObjectStore(storage, accountId);

    /// <summary>Applies every bucket's lifecycle rules at <paramref name="now"/>, each bucket as its owner.</summary>
    public async Task<LifecycleSweep> ApplyLifecycleAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var total = LifecycleSweep.None;
        foreach (var dir in Directory.EnumerateDirectories(storage.Root))
        {
            var bucket = Path.GetFileName(dir);
            if (bucket.StartsWith('.') || DurableFile.ReadJson<BucketRecord>(storage.BucketFile(bucket)) is not { Lifecycle: { Count: > 0 } } record)
            {
                continue;
            }

            try
            {
                total = total.Add(await new EmbeddedObjectStore(storage, record.Owner).ApplyLifecycleAsync(bucket, now, cancellationToken));
            }
            catch (ObjectStoreException e) when (e.Code == "NoSuchBucket")
            {
                // Deleted while the sweep ran.
            }
        }

        return total;
    }
}
