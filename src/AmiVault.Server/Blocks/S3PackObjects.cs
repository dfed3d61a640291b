using System.Globalization;
using System.Security.Cryptography;
using AmiVault.Catalog;
using AmiVault.ObjectStore;
using Microsoft.Extensions.Logging;

namespace AmiVault.Blocks;

/// <summary>
/// The S3 backend: packs are objects <c>{prefix}packs/{id}.pack</c> in a bucket of any S3 (Ceph RGW in the tests).
/// Each batch of the group commit is a pack object of its own, written with one PUT (Content-MD5, If-None-Match: *),
/// and its writers are acknowledged only after S3 has it: an acknowledged block survives the loss of this server and
/// its disk. Objects are never appended to; compaction merges the small ones. A pack id is the time in milliseconds
/// and 20 random bits, so servers sharing a bucket and a catalog do not pick the same (and the conditional PUT makes
/// sure: a clash takes another id). Reads are ranged GETs of one record, through a bounded local cache.
/// </summary>
internal sealed class S3PackObjects : IPackBackend, IPackWriter
{
    /// <summary>Batches uploaded at once: S3 latency, not bandwidth, bounds one PUT at a time.</summary>
    private const int ConcurrentUploads = 4;

    private const string Extension = ".pack";

    private readonly IObjectStore _store;
    private readonly IDisposable? _owner;
    private readonly string _bucket;
    private readonly string _packsPrefix;
    private readonly PackReadCache? _cache;
    private int _disposed;

    private S3PackObjects(IObjectStore store, IDisposable? owner, string bucket, string prefix, PackReadCache? cache, TimeSpan orphanGrace)
    {
        _store = store;
        _owner = owner;
        _bucket = bucket;
        _packsPrefix = prefix + "packs/";
        _cache = cache;
        OrphanGrace = orphanGrace;
    }

    public string Location => $"s3://{_bucket}/{_packsPrefix}";

    public bool IsShared => true;

    public TimeSpan OrphanGrace { get; }

    public long SettledBelow(DateTimeOffset now) => IdFloor(now - OrphanGrace);

    public int MaxConcurrentWrites => ConcurrentUploads;

    /// <summary>
    /// The backend over <paramref name="bucket"/> (created when missing) of <paramref name="store"/>, which it disposes
    /// through <paramref name="owner"/>. <paramref name="prefix"/> is empty or ends with '/'.
    /// </summary>
    public static async Task<S3PackObjects> OpenAsync(
        IObjectStore store, IDisposable? owner, string bucket, string prefix, PackReadCache? cache, TimeSpan orphanGrace, CancellationToken cancellationToken)
    {
        try
        {
            try
            {
                await store.HeadBucketAsync(bucket, cancellationToken);
            }
            catch (ObjectStoreException e) when (e.Code == "NoSuchBucket")
            {
                await store.CreateBucketAsync(bucket, cancellationToken);
            }

            return new S3PackObjects(store, owner, bucket, prefix, cache, orphanGrace);
        }
        catch
        {
            owner?.Dispose();
            throw;
        }
    }

    public async Task<IReadOnlyList<StoredPack>> ListAsync(CancellationToken cancellationToken)
    {
        var packs = new List<StoredPack>();
        string? token = null;
        do
        {
            var page = await _store.ListObjectsAsync(_bucket, new ListObjectsQuery { Prefix = _packsPrefix, ContinuationToken = token }, cancellationToken);
            foreach (var summary in page.Objects)
            {
                if (IdOf(summary.Key) is { } id)
                {
                    packs.Add(new StoredPack(id, summary.Size, summary.LastModified));
                }
            }

            token = page.IsTruncated ? page.NextContinuationToken : null;
        }
        while (token is not null);

        return packs;
    }

    /// <summary>The bucket answers a HEAD (within the caller's time): the cheapest call that needs S3 and the bucket both.</summary>
    public async Task<string?> ProblemAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _store.HeadBucketAsync(_bucket, cancellationToken);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return $"{Location} cannot be reached: {e.Message}";
        }
    }

    public async ValueTask<int> ReadAsync(long packId, long offset, Memory<byte> first, Memory<byte> second, CancellationToken cancellationToken)
    {
        if (_cache is not null && await _cache.TryReadAsync(packId, offset, first, second, cancellationToken) is { } cached)
        {
            return cached;
        }

        ObjectContent content;
        try
        {
            content = await _store.GetObjectAsync(_bucket, KeyOf(packId), new ObjectReadOptions { Range = ByteRange.FromOffset(offset, first.Length + second.Length) }, cancellationToken);
        }
        catch (ObjectStoreException e) when (e.Code == "NoSuchKey")
        {
            throw new PackGoneException($"s3://{_bucket}/{KeyOf(packId)}");
        }
        catch (ObjectStoreException e) when (e.Code == "InvalidRange")
        {
            return 0; // the pack ends before the offset
        }

        int read;
        await using (content)
        {
            read = await content.Body.ReadAtLeastAsync(first, first.Length, throwOnEndOfStream: false, cancellationToken);
            if (read == first.Length)
            {
                read += await content.Body.ReadAtLeastAsync(second, second.Length, throwOnEndOfStream: false, cancellationToken);
            }
        }

        if (read == first.Length + second.Length)
        {
            _cache?.Store(packId, offset, first, second);
        }

        return read;
    }

    public async Task DeleteAsync(IReadOnlyCollection<long> packIds, CancellationToken cancellationToken)
    {
        foreach (var id in packIds)
        {
            await _store.DeleteObjectAsync(_bucket, KeyOf(id), cancellationToken);
            _cache?.Forget(id);
        }
    }

    public Task<IPackWriter> OpenWriterAsync(IBlockIndex index, IReadOnlyCollection<long> knownPacks, ILogger logger, CancellationToken cancellationToken) =>
        Task.FromResult<IPackWriter>(this);

    public async Task<(long PackId, long Offset)> WriteAsync(IReadOnlyList<ReadOnlyMemory<byte>> records, long bytes, CancellationToken cancellationToken)
    {
        List<ReadOnlyMemory<byte>> parts = [PackFormat.FileHeader(), .. records];
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        parts.ForEach(p => md5.AppendData(p.Span));
        var options = new ObjectWriteOptions
        {
            ContentType = "application/octet-stream",
            ContentMd5 = md5.GetHashAndReset(),
            Condition = new WriteCondition(null, "*"),
        };
        for (var attempt = 0; ; attempt++)
        {
            var id = NewId();
            try
            {
                await using var body = new PackBatchStream(parts);
                await _store.PutObjectAsync(_bucket, KeyOf(id), body, body.Length, options, cancellationToken);
                return (id, PackFormat.FileHeaderLength);
            }
            catch (ObjectStoreException e) when (e.Code == "PreconditionFailed" && attempt < 3)
            {
                // Another server took this id in the same millisecond: take another.
            }
        }
    }

    /// <summary>Every pack is closed once written.</summary>
    public Task<long> SealAsync(Func<long, Task<bool>> isEmpty) => Task.FromResult(long.MaxValue);

    /// <summary>Once, though the store disposes it both as its backend and as its writer.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _owner?.Dispose();
        }
    }

    private static long NewId() => IdFloor(DateTimeOffset.UtcNow) + RandomNumberGenerator.GetInt32(1 << 20);

    /// <summary>The lowest id of a pack written at <paramref name="time"/> (ids are milliseconds, then 20 random bits).</summary>
    private static long IdFloor(DateTimeOffset time) => time.ToUnixTimeMilliseconds() << 20;

    private string KeyOf(long packId) => _packsPrefix + packId.ToString("D19", CultureInfo.InvariantCulture) + Extension;

    private long? IdOf(string key) =>
        key.StartsWith(_packsPrefix, StringComparison.Ordinal) && key.EndsWith(Extension, StringComparison.Ordinal)
        && long.TryParse(key.AsSpan(_packsPrefix.Length, key.Length - _packsPrefix.Length - Extension.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : null;
}
