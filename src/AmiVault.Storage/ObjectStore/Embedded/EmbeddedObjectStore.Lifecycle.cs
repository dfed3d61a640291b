namespace AmiVault.ObjectStore.Embedded;

/// <summary>The lifecycle rules of a bucket, applied: what S3 does once a day, done here whenever the sweeper runs.</summary>
internal sealed partial class EmbeddedObjectStore
{
    /// <summary>
    /// Deletes the bucket's objects and aborts its uploads that a rule says are due at <paramref name="now"/>. Each
    /// deletion re-reads the object under its key's lock, so an object written after the scan is never the one deleted.
    /// </summary>
    public async Task<LifecycleSweep> ApplyLifecycleAsync(string bucket, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        if (RequireBucket(bucket).Lifecycle is not { Count: > 0 } rules || !rules.Any(r => r.Enabled))
        {
            return LifecycleSweep.None;
        }

        bool Expired(string key, DateTimeOffset written) => rules.Any(r => r.Applies(key) && r.ExpiresAt(written) <= now);

        var expired = 0;
        foreach (var (file, key) in AllKeys(bucket).ToList())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (DurableFile.ReadJson<ObjectRecord>(file) is { } record && Expired(key, record.LastModified)
                && await DeleteIfAsync(bucket, key, current => Expired(key, current.LastModified), cancellationToken))
            {
                expired++;
            }
        }

        var aborted = 0;
        foreach (var upload in ListUploadRecords(bucket))
        {
            if (!rules.Any(r => r.Applies(upload.Key) && r.AbortsAt(upload.Initiated) <= now))
            {
                continue;
            }

            try
            {
                await AbortMultipartUploadAsync(bucket, upload.Key, upload.UploadId, cancellationToken);
                aborted++;
            }
            catch (ObjectStoreException e) when (e.Code == "NoSuchUpload")
            {
                // Completed or aborted since the scan.
            }
        }

        return new LifecycleSweep(expired, aborted);
    }
}
