using System.Text;

namespace AmiVault.ObjectStore.Embedded;

/// <summary>
/// The embedded store as one account sees it. An object becomes visible when its metadata file is renamed into
/// place, after its data is whole and on disk; replacing or deleting it removes the old data afterwards.
/// </summary>
internal sealed partial class EmbeddedObjectStore(EmbeddedStorage storage, string accountId) : IObjectStore
{
    public Task<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken cancellationToken = default)
    {
        var buckets = new List<BucketInfo>();
        foreach (var dir in Directory.EnumerateDirectories(storage.Root))
        {
            var name = Path.GetFileName(dir);
            if (!name.StartsWith('.') && DurableFile.ReadJson<BucketRecord>(storage.BucketFile(name)) is { } record && record.Owner == accountId)
            {
                buckets.Add(new BucketInfo(name, record.Region, record.Created));
            }
        }

        return Task.FromResult<IReadOnlyList<BucketInfo>>([.. buckets.OrderBy(b => b.Name, StringComparer.Ordinal)]);
    }

    public Task CreateBucketAsync(string bucket, CancellationToken cancellationToken = default)
    {
        ObjectStoreLimits.CheckBucketName(bucket);
        var final = storage.BucketDir(bucket);
        if (DurableFile.ReadJson<BucketRecord>(storage.BucketFile(bucket)) is { } existing)
        {
            throw existing.Owner == accountId ? ObjectStoreErrors.BucketAlreadyOwnedByYou(bucket) : ObjectStoreErrors.BucketAlreadyExists(bucket);
        }

        // Built under a dot-name and renamed, so a bucket never exists without its owner.
        var pending = Path.Combine(storage.Root, ".new-" + Guid.NewGuid().ToString("N"));
        EmbeddedStorage.CreateBucketFolders(pending);
        DurableFile.WriteJson(Path.Combine(pending, "bucket.json"), new BucketRecord(accountId, storage.Region, storage.Time.GetUtcNow(), EncryptByDefault: false));
        try
        {
            Directory.Move(pending, final);
            IO.DurableFile.FlushDirectory(storage.Root);
        }
        catch (IOException)
        {
            Directory.Delete(pending, recursive: true);
            var winner = DurableFile.ReadJson<BucketRecord>(storage.BucketFile(bucket));
            throw winner?.Owner == accountId ? ObjectStoreErrors.BucketAlreadyOwnedByYou(bucket) : ObjectStoreErrors.BucketAlreadyExists(bucket);
        }

        return Task.CompletedTask;
    }

    public Task<BucketInfo> HeadBucketAsync(string bucket, CancellationToken cancellationToken = default)
    {
        var record = RequireBucket(bucket);
        return Task.FromResult(new BucketInfo(bucket, record.Region, record.Created));
    }

    /// <summary>Takes every key lock, so no object can be committed between the emptiness check and the removal.</summary>
    public async Task DeleteBucketAsync(string bucket, CancellationToken cancellationToken = default)
    {
        var trash = Path.Combine(storage.Root, ".trash-" + Guid.NewGuid().ToString("N"));
        using (await storage.KeyLocks.AcquireAllAsync(cancellationToken))
        {
            RequireBucket(bucket);
            if (Directory.EnumerateFiles(storage.ObjectsDir(bucket), "*.json", SearchOption.AllDirectories).Any())
            {
                throw ObjectStoreErrors.BucketNotEmpty(bucket);
            }

            Directory.Move(storage.BucketDir(bucket), trash);
            IO.DurableFile.FlushDirectory(storage.Root);
        }

        Directory.Delete(trash, recursive: true);
    }

    public Task<bool> GetBucketEncryptionAsync(string bucket, CancellationToken cancellationToken = default) =>
        Task.FromResult(RequireBucket(bucket).EncryptByDefault);

    public async Task PutBucketEncryptionAsync(string bucket, bool encryptByDefault, CancellationToken cancellationToken = default)
    {
        using var _ = await storage.KeyLocks.AcquireAsync(bucket, cancellationToken);
        var record = RequireBucket(bucket);
        DurableFile.WriteJson(storage.BucketFile(bucket), record with { EncryptByDefault = encryptByDefault });
    }

    public Task<IReadOnlyList<LifecycleRule>> GetBucketLifecycleAsync(string bucket, CancellationToken cancellationToken = default) =>
        RequireBucket(bucket).Lifecycle is { Count: > 0 } rules
            ? Task.FromResult<IReadOnlyList<LifecycleRule>>(rules)
            : throw ObjectStoreErrors.NoSuchLifecycleConfiguration(bucket);

    public async Task PutBucketLifecycleAsync(string bucket, IReadOnlyList<LifecycleRule> rules, CancellationToken cancellationToken = default)
    {
        using var _ = await storage.KeyLocks.AcquireAsync(bucket, cancellationToken);
        var record = RequireBucket(bucket);
        DurableFile.WriteJson(storage.BucketFile(bucket), record with { Lifecycle = rules.Count > 0 ? [.. rules] : null });
    }

    public async Task<ObjectInfo> PutObjectAsync(string bucket, string key, Stream content, long? length, ObjectWriteOptions options, CancellationToken cancellationToken = default)
    {
        var record = RequireBucket(bucket);
        ObjectStoreLimits.CheckWrite(key, options);
        if (length > ObjectStoreLimits.MaxPutSize)
        {
            throw ObjectStoreErrors.EntityTooLarge();
        }

        var encrypt = options.Encrypt ?? record.EncryptByDefault;
        var written = await WriteSegmentAsync(bucket, content, length, ObjectStoreLimits.MaxPutSize, encrypt, options.ContentMd5, cancellationToken);
        var dataName = Guid.NewGuid().ToString("N");
        var stored = new ObjectRecord(
            key, written.Length, ETags.FromMd5(written.Md5), storage.Time.GetUtcNow(), options.ContentType,
            new Dictionary<string, string>(options.Metadata), new Dictionary<string, string>(options.Tags),
            encrypt, PartsCount: null, dataName, [new SegmentRecord(dataName, written.Length, Checksummed: !encrypt)], new Dictionary<string, string>(options.Headers),
            options.Checksum is { } checksum ? new ObjectChecksum(checksum.Algorithm, checksum.Value!) : null);
        await CommitAsync(bucket, written.Path, stored, options.Condition, cancellationToken);
        return stored.ToInfo(record);
    }

    public Task<ObjectInfo> HeadObjectAsync(string bucket, string key, CancellationToken cancellationToken = default)
    {
        var record = RequireBucket(bucket);
        return Task.FromResult(RequireObject(bucket, key).ToInfo(record));
    }

    public Task<ObjectContent> GetObjectAsync(string bucket, string key, ObjectReadOptions options, CancellationToken cancellationToken = default)
    {
        var bucketRecord = RequireBucket(bucket);

        // A replacement committed between reading the metadata and opening its files: the new metadata is current.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return Task.FromResult(Open(bucket, bucketRecord, RequireObject(bucket, key), options));
            }
            catch (ObjectChangedException) when (attempt < 3)
            {
            }
        }
    }

    private ObjectContent Open(string bucket, BucketRecord bucketRecord, ObjectRecord record, ObjectReadOptions options)
    {
        options.Check(record.ETag, record.LastModified);

        var (offset, length) = options.PartNumber is { } part ? PartRange(record, part)
            : options.Range is { } range ? range.Resolve(record.Size)
            : (0, record.Size);
        var dataDir = storage.DataDir(bucket);
        var segments = record.Segments.Select(s => (Path.Combine(dataDir, s.Path), s.Length, s.Checksummed)).ToList();
        var body = new ObjectReadStream(segments, record.Encrypted ? storage.MasterKey : null, offset, length);
        var isRange = options.Range is not null || (options.PartNumber is not null && record.PartsCount is not null);
        return new ObjectContent(record.ToInfo(bucketRecord), body, offset, length, isRange) { Checksum = AnsweredChecksum(record, options) };
    }

    /// <summary>
    /// The checksum of the bytes a read answers, as S3 tells it: the object's for the whole object (or part 1 of a
    /// simple one); for one part, the part's own when the object's checksum is composite (or it has one part); none
    /// for a byte range, nor for a part of a multipart object checksummed as a whole.
    /// </summary>
    private static ObjectChecksum? AnsweredChecksum(ObjectRecord record, ObjectReadOptions options)
    {
        if (record.Checksum is not { } checksum || options.Range is not null)
        {
            return null;
        }

        if (options.PartNumber is not { } part || record.PartsCount is null)
        {
            return checksum;
        }

        return (checksum.Composite || record.Segments.Count == 1) && record.Segments[part - 1].Checksum is { } partChecksum
            ? new ObjectChecksum(checksum.Algorithm, partChecksum)
            : null;
    }

    private static (long Offset, long Length) PartRange(ObjectRecord record, int partNumber)
    {
        ObjectStoreLimits.CheckPartNumber(partNumber);
        if (record.PartsCount is null)
        {
            return partNumber == 1 ? (0, record.Size) : throw ObjectStoreErrors.InvalidPartNumber();
        }

        if (partNumber > record.Segments.Count)
        {
            throw ObjectStoreErrors.InvalidPartNumber();
        }

        var offset = record.Segments.Take(partNumber - 1).Sum(s => s.Length);
        return (offset, record.Segments[partNumber - 1].Length);
    }

    public async Task DeleteObjectAsync(string bucket, string key, CancellationToken cancellationToken = default)
    {
        RequireBucket(bucket);
        ObjectStoreLimits.CheckKey(key);
        await DeleteIfAsync(bucket, key, onlyIf: null, cancellationToken);
    }

    /// <summary>Deletes the key's object if there is one and <paramref name="onlyIf"/> (checked under the key's lock) holds.</summary>
    private async Task<bool> DeleteIfAsync(string bucket, string key, Func<ObjectRecord, bool>? onlyIf, CancellationToken cancellationToken)
    {
        using var _ = await storage.KeyLocks.AcquireAsync(bucket + "/" + key, cancellationToken);
        var path = storage.ObjectFile(bucket, key);
        if (DurableFile.ReadJson<ObjectRecord>(path) is not { } old || (onlyIf is not null && !onlyIf(old)))
        {
            return false;
        }

        File.Delete(path);
        IO.DurableFile.FlushDirectory(Path.GetDirectoryName(path)!);
        DeleteData(bucket, old.DataPath);
        return true;
    }

    public Task<ObjectListing> ListObjectsAsync(string bucket, ListObjectsQuery query, CancellationToken cancellationToken = default)
    {
        RequireBucket(bucket);
        var after = query.ContinuationToken is { } token ? DecodeToken(token) : query.StartAfter;
        if (query.MaxKeys <= 0)
        {
            // As S3: nothing asked for, nothing truncated.
            return Task.FromResult(new ObjectListing([], [], false, null));
        }

        var objects = new List<ObjectSummary>();
        var prefixes = new List<string>();
        string? last = null;
        var truncated = false;
        foreach (var (file, key) in AllKeys(bucket).Where(k => k.Key.StartsWith(query.Prefix, StringComparison.Ordinal)).OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            if (after is not null && string.CompareOrdinal(key, after) <= 0)
            {
                continue;
            }

            string? commonPrefix = null;
            if (!string.IsNullOrEmpty(query.Delimiter))
            {
                var cut = key.IndexOf(query.Delimiter, query.Prefix.Length, StringComparison.Ordinal);
                if (cut >= 0)
                {
                    commonPrefix = key[..(cut + query.Delimiter.Length)];
                    if (commonPrefix == last || (after is not null && string.CompareOrdinal(commonPrefix, after) <= 0))
                    {
                        continue;
                    }
                }
            }

            if (objects.Count + prefixes.Count >= query.MaxKeys)
            {
                truncated = true;
                break;
            }

            if (commonPrefix is not null)
            {
                prefixes.Add(commonPrefix);
                last = commonPrefix;
            }
            else if (DurableFile.ReadJson<ObjectRecord>(file) is { } record)
            {
                objects.Add(new ObjectSummary(record.Key, record.Size, record.ETag, record.LastModified));
                last = record.Key;
            }
        }

        return Task.FromResult(new ObjectListing(objects, prefixes, truncated, truncated ? EncodeToken(last!) : null));
    }

    public Task<IReadOnlyDictionary<string, string>> GetObjectTaggingAsync(string bucket, string key, CancellationToken cancellationToken = default)
    {
        RequireBucket(bucket);
        return Task.FromResult<IReadOnlyDictionary<string, string>>(RequireObject(bucket, key).Tags);
    }

    public Task PutObjectTaggingAsync(string bucket, string key, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken = default)
    {
        ObjectStoreLimits.CheckTags(tags);
        return UpdateTagsAsync(bucket, key, new Dictionary<string, string>(tags), cancellationToken);
    }

    public Task DeleteObjectTaggingAsync(string bucket, string key, CancellationToken cancellationToken = default) =>
        UpdateTagsAsync(bucket, key, [], cancellationToken);

    private async Task UpdateTagsAsync(string bucket, string key, Dictionary<string, string> tags, CancellationToken cancellationToken)
    {
        RequireBucket(bucket);
        using var _ = await storage.KeyLocks.AcquireAsync(bucket + "/" + key, cancellationToken);
        var record = RequireObject(bucket, key);
        DurableFile.WriteJson(storage.ObjectFile(bucket, key), record with { Tags = tags });
    }

    /// <summary>The bucket's record when this account owns it; NoSuchBucket or AccessDenied otherwise.</summary>
    private BucketRecord RequireBucket(string bucket)
    {
        ObjectStoreLimits.CheckBucketName(bucket);
        var record = DurableFile.ReadJson<BucketRecord>(storage.BucketFile(bucket)) ?? throw ObjectStoreErrors.NoSuchBucket(bucket);
        return record.Owner == accountId ? record : throw ObjectStoreErrors.AccessDenied(bucket);
    }

    private ObjectRecord RequireObject(string bucket, string key)
    {
        ObjectStoreLimits.CheckKey(key);
        return DurableFile.ReadJson<ObjectRecord>(storage.ObjectFile(bucket, key)) ?? throw ObjectStoreErrors.NoSuchKey(key);
    }

    /// <summary>Every object's metadata file and key, read from the file names (only long keys need the file opened).</summary>
    private IEnumerable<(string File, string Key)> AllKeys(string bucket)
    {
        var dir = storage.ObjectsDir(bucket);
        if (!Directory.Exists(dir))
        {
            yield break;
        }

        foreach (var file in Directory.EnumerateFiles(dir, "*.json", SearchOption.AllDirectories))
        {
            if ((EmbeddedStorage.KeyOfObjectFile(file) ?? DurableFile.ReadJson<ObjectRecord>(file)?.Key) is { } key)
            {
                yield return (file, key);
            }
        }
    }

    /// <summary>
    /// A body streamed into a new file of sealed frames (encrypted, or plain and checksummed) in the bucket's tmp
    /// folder (gone with a bucket deleted meanwhile).
    /// </summary>
    private async Task<WrittenSegment> WriteSegmentAsync(string bucket, Stream content, long? length, long maxLength, bool encrypt, byte[]? md5, CancellationToken cancellationToken)
    {
        try
        {
            return await SegmentWriter.WriteAsync(content, storage.TempFile(bucket), length, maxLength, encrypt ? storage.MasterKey : null, md5, cancellationToken);
        }
        catch (DirectoryNotFoundException)
        {
            throw ObjectStoreErrors.NoSuchBucket(bucket);
        }
    }

    /// <summary>
    /// Makes the data at <paramref name="source"/> (a flushed file, or a folder of parts) the object described by
    /// <paramref name="stored"/>, atomically, then removes the data of the one it replaced. This runs under the key's
    /// lock, which DeleteBucket takes all of, after checking the bucket is still there.
    /// </summary>
    private async Task CommitAsync(string bucket, string source, ObjectRecord stored, WriteCondition? condition, CancellationToken cancellationToken)
    {
        var path = storage.ObjectFile(bucket, stored.Key);
        ObjectRecord? old;
        using (await storage.KeyLocks.AcquireAsync(bucket + "/" + stored.Key, cancellationToken))
        {
            RequireBucket(bucket);
            old = DurableFile.ReadJson<ObjectRecord>(path);
            condition?.Check(old?.ETag, stored.Key);
            try
            {
                MoveIntoData(bucket, source, stored.DataPath);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                // The bucket was deleted (and made again) while the body streamed in: the data went with the old one.
                throw ObjectStoreErrors.NoSuchBucket(bucket);
            }

            IO.DurableFile.CreateDirectory(Path.GetDirectoryName(path)!);
            DurableFile.WriteJson(path, stored);
        }

        if (old is not null)
        {
            DeleteData(bucket, old.DataPath);
        }
    }

    private void MoveIntoData(string bucket, string source, string name)
    {
        var dataDir = storage.DataDir(bucket);
        if (Directory.Exists(source))
        {
            Directory.Move(source, Path.Combine(dataDir, name));
            IO.DurableFile.FlushDirectory(dataDir);
        }
        else
        {
            IO.DurableFile.CommitRename(source, Path.Combine(dataDir, name));
        }
    }

    private void DeleteData(string bucket, string dataPath)
    {
        var path = Path.Combine(storage.DataDir(bucket), dataPath);
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
        else
        {
            File.Delete(path);
        }
    }

    private static string EncodeToken(string marker) => Convert.ToBase64String(Encoding.UTF8.GetBytes(marker));

    private static string DecodeToken(string token)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(token));
        }
        catch (FormatException)
        {
            throw ObjectStoreErrors.InvalidArgument("The continuation token provided is incorrect");
        }
    }
}
