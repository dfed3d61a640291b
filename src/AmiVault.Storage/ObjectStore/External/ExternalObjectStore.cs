using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using AmiVault.Resilience;
using Amazon.S3;
using Amazon.S3.Model;
using LifecycleRule = AmiVault.ObjectStore.LifecycleRule;

namespace AmiVault.ObjectStore.External;

/// <summary>
/// The object store on an external S3 service. Data is checked end to end: Content-MD5 goes with every body whose
/// digest is known up front, and every ETag that should be a plain MD5 is compared with the MD5 of what was sent.
/// Every call goes through one <see cref="ResiliencePolicy"/>; a body is sent again only when it can be rewound.
/// <para>
/// Calls that are not idempotent are made safe to repeat after an answer was lost on the way back (the service did
/// the work, the client saw a reset or a timeout): a conditional PUT that then fails its condition, and a
/// CompleteMultipartUpload that then finds no upload, are checked against the object, which counts as written when
/// it holds exactly what this call sent (its ETag); a CreateMultipartUpload that needed more than one attempt aborts
/// the uploads of the same key an earlier attempt may have begun.
/// </para>
/// </summary>
internal sealed class ExternalObjectStore(
    IAmazonS3 s3, string region, ConcurrentDictionary<string, IReadOnlyDictionary<string, string>> uploadTags, ResiliencePolicy retry) : IObjectStore
{
    /// <summary>How far the service's clock may be from ours when uploads begun during a call are looked for.</summary>
    private static readonly TimeSpan ClockMargin = TimeSpan.FromMinutes(5);

    private readonly ResiliencePolicy _once = retry.Once();

    public ResiliencePolicy Retry => retry;

    public Task<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken cancellationToken = default) =>
        CallAsync(null, null, async t =>
        {
            var response = await s3.ListBucketsAsync(new ListBucketsRequest(), t);
            return (IReadOnlyList<BucketInfo>)[.. (response.Buckets ?? []).Select(b => new BucketInfo(b.BucketName, region, b.CreationDate ?? DateTime.UnixEpoch))];
        }, cancellationToken);

    public async Task CreateBucketAsync(string bucket, CancellationToken cancellationToken = default)
    {
        ObjectStoreLimits.CheckBucketName(bucket);

        // S3 in us-east-1 (and Ceph) answer 200 to re-creating one's own bucket; the contract is one answer everywhere.
        if (await ExistsAsync(bucket, cancellationToken))
        {
            throw ObjectStoreErrors.BucketAlreadyOwnedByYou(bucket);
        }

        await CallAsync(bucket, null, t => s3.PutBucketAsync(
            new PutBucketRequest { BucketName = bucket, BucketRegionName = region == "us-east-1" ? null : region }, t), cancellationToken);
    }

    private async Task<bool> ExistsAsync(string bucket, CancellationToken cancellationToken)
    {
        try
        {
            await HeadBucketAsync(bucket, cancellationToken);
            return true;
        }
        catch (ObjectStoreException e) when (e.Code is "NoSuchBucket" or "AccessDenied")
        {
            return false;
        }
    }

    public Task<BucketInfo> HeadBucketAsync(string bucket, CancellationToken cancellationToken = default) =>
        CallAsync(bucket, null, async t =>
        {
            var response = await s3.HeadBucketAsync(new HeadBucketRequest { BucketName = bucket }, t);
            return new BucketInfo(bucket, string.IsNullOrEmpty(response.BucketRegion) ? region : response.BucketRegion, DateTimeOffset.UnixEpoch);
        }, cancellationToken);

    public Task DeleteBucketAsync(string bucket, CancellationToken cancellationToken = default) =>
        CallAsync(bucket, null, t => s3.DeleteBucketAsync(new DeleteBucketRequest { BucketName = bucket }, t), cancellationToken);

    public async Task<bool> GetBucketEncryptionAsync(string bucket, CancellationToken cancellationToken = default)
    {
        try
        {
            return await CallAsync(bucket, null, async t =>
            {
                var response = await s3.GetBucketEncryptionAsync(new GetBucketEncryptionRequest { BucketName = bucket }, t);
                return (response.ServerSideEncryptionConfiguration?.ServerSideEncryptionRules ?? [])
                    .Any(r => r.ServerSideEncryptionByDefault?.ServerSideEncryptionAlgorithm == ServerSideEncryptionMethod.AES256);
            }, cancellationToken);
        }
        catch (ObjectStoreException e) when (e.Code == "ServerSideEncryptionConfigurationNotFoundError")
        {
            return false;
        }
    }

    public Task PutBucketEncryptionAsync(string bucket, bool encryptByDefault, CancellationToken cancellationToken = default) =>
        CallAsync(bucket, null, t => encryptByDefault
            ? s3.PutBucketEncryptionAsync(new PutBucketEncryptionRequest
            {
                BucketName = bucket,
                ServerSideEncryptionConfiguration = new ServerSideEncryptionConfiguration
                {
                    ServerSideEncryptionRules =
                    [
                        new ServerSideEncryptionRule { ServerSideEncryptionByDefault = new ServerSideEncryptionByDefault { ServerSideEncryptionAlgorithm = ServerSideEncryptionMethod.AES256 } },
                    ],
                },
            }, t)
            : s3.DeleteBucketEncryptionAsync(new DeleteBucketEncryptionRequest { BucketName = bucket }, t), cancellationToken);

    public async Task<IReadOnlyList<LifecycleRule>> GetBucketLifecycleAsync(string bucket, CancellationToken cancellationToken = default)
    {
        var response = await CallAsync(bucket, null, t => s3.GetLifecycleConfigurationAsync(new GetLifecycleConfigurationRequest { BucketName = bucket }, t), cancellationToken);
        var rules = response.Configuration?.Rules ?? [];
        return rules.Count > 0
            ? [.. rules.Select(r => new LifecycleRule(
                r.Id ?? "",
                r.Status == LifecycleRuleStatus.Enabled,
                r.Filter?.Prefix ?? "",
                r.Expiration?.Days,
                r.Expiration?.Date is { } date ? new DateTimeOffset(date.ToUniversalTime(), TimeSpan.Zero) : null,
                r.AbortIncompleteMultipartUpload?.DaysAfterInitiation))]
            : throw ObjectStoreErrors.NoSuchLifecycleConfiguration(bucket);
    }

    public Task PutBucketLifecycleAsync(string bucket, IReadOnlyList<LifecycleRule> rules, CancellationToken cancellationToken = default) =>
        CallAsync(bucket, null, t => rules.Count == 0
            ? s3.DeleteLifecycleConfigurationAsync(new DeleteLifecycleConfigurationRequest { BucketName = bucket }, t)
            : s3.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest
            {
                BucketName = bucket,
                Configuration = new LifecycleConfiguration
                {
                    Rules = [.. rules.Select(r => new Amazon.S3.Model.LifecycleRule
                    {
                        Id = r.Id,
                        Status = r.Enabled ? LifecycleRuleStatus.Enabled : LifecycleRuleStatus.Disabled,
                        Filter = new LifecycleFilter { Prefix = r.Prefix },
                        Expiration = r.ExpirationDays is null && r.ExpirationDate is null
                            ? null
                            : new LifecycleRuleExpiration { Days = r.ExpirationDays, Date = r.ExpirationDate?.UtcDateTime },
                        AbortIncompleteMultipartUpload = r.AbortIncompleteUploadDays is { } days
                            ? new LifecycleRuleAbortIncompleteMultipartUpload { DaysAfterInitiation = days }
                            : null,
                    })],
                },
            }, t), cancellationToken);

    public async Task<ObjectInfo> PutObjectAsync(string bucket, string key, Stream content, long? length, ObjectWriteOptions options, CancellationToken cancellationToken = default)
    {
        ObjectStoreLimits.CheckWrite(key, options);
        if (length is null)
        {
            throw ObjectStoreErrors.InvalidRequest("The external object store needs the length of a body up front.");
        }

        var md5 = options.ContentMd5 ?? Md5OfSeekable(content, length.Value);
        var start = content.CanSeek ? content.Position : -1;
        var attempts = 0;
        await CallAsync(bucket, key, async t =>
        {
            attempts++;
            Rewind(content, start);
            using var hashing = new HashingReadStream(content, length.Value, hash: md5 is null);
            var request = new PutObjectRequest
            {
                BucketName = bucket,
                Key = key,
                InputStream = hashing,
                AutoCloseStream = false,
                ContentType = options.ContentType,
                MD5Digest = md5 is null ? null : Convert.ToBase64String(md5),
                TagSet = ToTags(options.Tags),
                ServerSideEncryptionMethod = options.Encrypt == true ? ServerSideEncryptionMethod.AES256 : null,
                IfMatch = options.Condition?.IfMatch,
                IfNoneMatch = options.Condition?.IfNoneMatch,
            };
            request.Headers.ContentLength = length.Value;
            SetHeaders(request.Headers, request.Metadata, options);
            PutObjectResponse response;
            try
            {
                response = await s3.PutObjectAsync(request, t);
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.PreconditionFailed && attempts > 1 && md5 is not null)
            {
                // An earlier attempt may have written the object and lost its answer: then the condition fails against our own write.
                if (await HoldsAsync(bucket, key, ETags.FromMd5(md5), t))
                {
                    return;
                }

                throw;
            }

            await CheckSentAsync(hashing, length.Value, md5, response.ETag, () => s3.DeleteObjectAsync(bucket, key, t));
        }, cancellationToken, replayable: start >= 0);
        return await HeadObjectAsync(bucket, key, cancellationToken);
    }

    public Task<ObjectInfo> HeadObjectAsync(string bucket, string key, CancellationToken cancellationToken = default) =>
        CallAsync(bucket, key, async t =>
        {
            var response = await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = key }, t);
            return new ObjectInfo(
                key, response.ContentLength, response.ETag, response.LastModified ?? DateTime.UnixEpoch, response.Headers.ContentType,
                UserMetadata(response.Metadata), response.ServerSideEncryptionMethod == ServerSideEncryptionMethod.AES256,
                PartsCount(response.ETag), 0)
            {
                Headers = StoredHeaders(response.Headers),
            };
        }, cancellationToken);

    public Task<ObjectContent> GetObjectAsync(string bucket, string key, ObjectReadOptions options, CancellationToken cancellationToken = default) =>
        CallAsync(bucket, key, async t =>
        {
            var request = new GetObjectRequest
            {
                BucketName = bucket,
                Key = key,
                EtagToMatch = options.IfMatch,
                EtagToNotMatch = options.IfNoneMatch,
                ModifiedSinceDate = options.IfModifiedSince?.UtcDateTime,
                UnmodifiedSinceDate = options.IfUnmodifiedSince?.UtcDateTime,
                ByteRange = options.Range is null ? null : new Amazon.S3.Model.ByteRange(options.Range.ToString()),
                PartNumber = options.PartNumber,
            };
            var response = await s3.GetObjectAsync(request, t);
            var (offset, size) = ParseContentRange(response.ContentRange) ?? (0, response.ContentLength);
            var info = new ObjectInfo(
                key, size, response.ETag, response.LastModified ?? DateTime.UnixEpoch, response.Headers.ContentType,
                UserMetadata(response.Metadata), response.ServerSideEncryptionMethod == ServerSideEncryptionMethod.AES256,
                PartsCount(response.ETag), response.TagCount ?? 0)
            {
                Headers = StoredHeaders(response.Headers),
            };
            return new ObjectContent(info, response.ResponseStream, offset, response.ContentLength, response.ContentRange is not null);
        }, cancellationToken);

    public Task DeleteObjectAsync(string bucket, string key, CancellationToken cancellationToken = default) =>
        CallAsync(bucket, key, t => s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = key }, t), cancellationToken);

    public Task<ObjectListing> ListObjectsAsync(string bucket, ListObjectsQuery query, CancellationToken cancellationToken = default) =>
        CallAsync(bucket, null, async t =>
        {
            var response = await s3.ListObjectsV2Async(new ListObjectsV2Request
            {
                BucketName = bucket,
                Prefix = string.IsNullOrEmpty(query.Prefix) ? null : query.Prefix,
                Delimiter = query.Delimiter,
                StartAfter = query.StartAfter,
                ContinuationToken = query.ContinuationToken,
                MaxKeys = query.MaxKeys,
            }, t);
            return new ObjectListing(
                [.. (response.S3Objects ?? []).Select(o => new ObjectSummary(o.Key, o.Size ?? 0, o.ETag, o.LastModified ?? DateTime.UnixEpoch))],
                response.CommonPrefixes ?? [],
                response.IsTruncated == true,
                response.IsTruncated == true ? response.NextContinuationToken : null);
        }, cancellationToken);

    public Task<IReadOnlyDictionary<string, string>> GetObjectTaggingAsync(string bucket, string key, CancellationToken cancellationToken = default) =>
        CallAsync(bucket, key, async t =>
        {
            var response = await s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = key }, t);
            return (IReadOnlyDictionary<string, string>)(response.Tagging ?? []).ToDictionary(t => t.Key, t => t.Value ?? "");
        }, cancellationToken);

    public Task PutObjectTaggingAsync(string bucket, string key, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken = default)
    {
        ObjectStoreLimits.CheckTags(tags);
        return CallAsync(bucket, key, t => s3.PutObjectTaggingAsync(
            new PutObjectTaggingRequest { BucketName = bucket, Key = key, Tagging = new Tagging { TagSet = ToTags(tags) ?? [] } }, t), cancellationToken);
    }

    public Task DeleteObjectTaggingAsync(string bucket, string key, CancellationToken cancellationToken = default) =>
        CallAsync(bucket, key, t => s3.DeleteObjectTaggingAsync(new DeleteObjectTaggingRequest { BucketName = bucket, Key = key }, t), cancellationToken);

    public async Task<string> CreateMultipartUploadAsync(string bucket, string key, ObjectWriteOptions options, CancellationToken cancellationToken = default)
    {
        ObjectStoreLimits.CheckWrite(key, options);
        var began = DateTimeOffset.UtcNow;
        var attempts = 0;
        var answered = await CallAsync(bucket, key, async t =>
        {
            attempts++;
            var request = new InitiateMultipartUploadRequest
            {
                BucketName = bucket,
                Key = key,
                ContentType = options.ContentType,
                TagSet = ToTags(options.Tags),
                ServerSideEncryptionMethod = options.Encrypt == true ? ServerSideEncryptionMethod.AES256 : null,
            };
            SetHeaders(request.Headers, request.Metadata, options);
            var uploadId = (await s3.InitiateMultipartUploadAsync(request, t)).UploadId;

            // Some servers (Ceph RGW 16) ignore x-amz-tagging here: the tags are applied again on completion.
            if (options.Tags.Count > 0)
            {
                uploadTags[uploadId] = options.Tags;
            }

            return uploadId;
        }, cancellationToken);
        if (attempts > 1)
        {
            await AbortStraysAsync(bucket, key, answered, began, cancellationToken);
        }

        return answered;
    }

    /// <summary>
    /// A CreateMultipartUpload whose answer was lost still began an upload that nobody would complete or abort: the
    /// uploads of this key begun since the call began (less the clocks' margin), other than the one answered, are
    /// those. Best effort: one that cannot be aborted now is left to the bucket's lifecycle rule for unfinished uploads.
    /// </summary>
    private async Task AbortStraysAsync(string bucket, string key, string answered, DateTimeOffset began, CancellationToken cancellationToken)
    {
        try
        {
            var listing = await ListMultipartUploadsAsync(bucket, new ListUploadsQuery { Prefix = key }, cancellationToken);
            foreach (var stray in listing.Uploads.Where(u => u.Key == key && u.UploadId != answered && u.Initiated >= began - ClockMargin))
            {
                await AbortMultipartUploadAsync(bucket, key, stray.UploadId, cancellationToken);
            }
        }
        catch (ObjectStoreException)
        {
        }
    }

    /// <summary>A flexible checksum the client sent was verified on the way in; the external S3 gets the part with Content-MD5 (its own checksums are its own).</summary>
    public async Task<PartInfo> UploadPartAsync(string bucket, string key, string uploadId, int partNumber, Stream content, long length, byte[]? contentMd5 = null, ChecksummingStream? checksum = null, CancellationToken cancellationToken = default)
    {
        ObjectStoreLimits.CheckPartNumber(partNumber);
        var md5 = contentMd5 ?? Md5OfSeekable(content, length);
        var start = content.CanSeek ? content.Position : -1;
        var etag = await CallUploadAsync(bucket, key, uploadId, async t =>
        {
            Rewind(content, start);
            using var hashing = new HashingReadStream(content, length, hash: md5 is null);
            var request = new UploadPartRequest
            {
                BucketName = bucket,
                Key = key,
                UploadId = uploadId,
                PartNumber = partNumber,
                InputStream = hashing,
                PartSize = length,
                MD5Digest = md5 is null ? null : Convert.ToBase64String(md5),
            };
            var response = await s3.UploadPartAsync(request, t);
            await CheckSentAsync(hashing, length, md5, response.ETag, () => Task.CompletedTask);
            return response.ETag;
        }, cancellationToken, replayable: start >= 0);
        return new PartInfo(partNumber, etag, length, DateTimeOffset.UtcNow);
    }

    public async Task<ObjectInfo> CompleteMultipartUploadAsync(string bucket, string key, string uploadId, IReadOnlyList<CompletedPart> parts, WriteCondition? condition = null, ObjectChecksum? expectedChecksum = null, CancellationToken cancellationToken = default)
    {
        ObjectStoreLimits.CheckPartOrder(parts);
        var expected = ETags.OfCompletedParts(parts.Select(p => p.ETag));
        var attempts = 0;
        await CallUploadAsync<CompleteMultipartUploadResponse?>(bucket, key, uploadId, async t =>
        {
            attempts++;
            try
            {
                return await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
                {
                    BucketName = bucket,
                    Key = key,
                    UploadId = uploadId,
                    PartETags = [.. parts.Select(p => new PartETag(p.PartNumber, p.ETag))],
                    IfMatch = condition?.IfMatch,
                    IfNoneMatch = condition?.IfNoneMatch,
                }, t);
            }
            catch (AmazonS3Exception e) when (expected is not null
                && (e.ErrorCode is "NoSuchUpload" or "NoSuchKey" || (e.StatusCode == HttpStatusCode.PreconditionFailed && attempts > 1)))
            {
                // Completed with these very parts already (an attempt whose answer was lost, or an earlier call of
                // the same upload): the object is what this call meant to make.
                if (await HoldsAsync(bucket, key, expected, t))
                {
                    return null;
                }

                throw;
            }
        }, cancellationToken);
        if (uploadTags.TryRemove(uploadId, out var tags))
        {
            await PutObjectTaggingAsync(bucket, key, tags, cancellationToken);
        }

        return await HeadObjectAsync(bucket, key, cancellationToken);
    }

    public async Task AbortMultipartUploadAsync(string bucket, string key, string uploadId, CancellationToken cancellationToken = default)
    {
        await CallUploadAsync(bucket, key, uploadId, t => s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = uploadId }, t), cancellationToken);
        uploadTags.TryRemove(uploadId, out _);
    }

    public Task<PartListing> ListPartsAsync(string bucket, string key, string uploadId, int partNumberMarker = 0, int maxParts = 1000, CancellationToken cancellationToken = default) =>
        CallUploadAsync(bucket, key, uploadId, async t =>
        {
            var response = await s3.ListPartsAsync(new ListPartsRequest
            {
                BucketName = bucket,
                Key = key,
                UploadId = uploadId,
                PartNumberMarker = partNumberMarker.ToString(CultureInfo.InvariantCulture),
                MaxParts = maxParts,
            }, t);
            var parts = (response.Parts ?? []).Select(p => new PartInfo(p.PartNumber ?? 0, p.ETag, p.Size ?? 0, p.LastModified ?? DateTime.UnixEpoch)).ToList();
            return new PartListing(parts, response.IsTruncated == true, response.NextPartNumberMarker ?? partNumberMarker);
        }, cancellationToken);

    public Task<UploadListing> ListMultipartUploadsAsync(string bucket, ListUploadsQuery query, CancellationToken cancellationToken = default) =>
        CallAsync(bucket, null, async t =>
        {
            var response = await s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest
            {
                BucketName = bucket,
                Prefix = string.IsNullOrEmpty(query.Prefix) ? null : query.Prefix,
                KeyMarker = query.KeyMarker,
                UploadIdMarker = query.UploadIdMarker,
                MaxUploads = query.MaxUploads,
            }, t);
            var truncated = response.IsTruncated == true;
            return new UploadListing(
                [.. (response.MultipartUploads ?? []).Select(u => new UploadSummary(u.Key, u.UploadId, u.Initiated ?? DateTime.UnixEpoch))],
                truncated,
                truncated ? response.NextKeyMarker : null,
                truncated ? response.NextUploadIdMarker : null);
        }, cancellationToken);

    /// <summary>Whether the object is there with this ETag (inside an attempt: no policy of its own).</summary>
    private async Task<bool> HoldsAsync(string bucket, string key, string etag, CancellationToken cancellationToken)
    {
        try
        {
            var there = await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = key }, cancellationToken);
            return ETags.Same(there.ETag, etag);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>The MD5 of the next <paramref name="length"/> bytes of a seekable body (a buffer), read without moving it.</summary>
    private static byte[]? Md5OfSeekable(Stream content, long length)
    {
        if (!content.CanSeek)
        {
            return null;
        }

        var start = content.Position;
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var buffer = new byte[81920];
        var left = length;
        int read;
        while (left > 0 && (read = content.Read(buffer, 0, (int)Math.Min(buffer.Length, left))) > 0)
        {
            md5.AppendData(buffer, 0, read);
            left -= read;
        }

        content.Position = start;
        return md5.GetHashAndReset();
    }

    /// <summary>
    /// Whether what the SDK sent is what the caller meant: the whole length, and (for a plain-MD5 ETag) the same
    /// digest the server stored. With the digest known up front (<paramref name="md5"/>) the server has checked the
    /// body against it as Content-MD5, so the body is not hashed a second time on the way out. A mismatch undoes the
    /// write where it can and is BadDigest.
    /// </summary>
    private static async Task CheckSentAsync(HashingReadStream sent, long length, byte[]? md5, string etag, Func<Task> undo)
    {
        var bare = ETags.Bare(etag);
        var md5Etag = bare.Length == 32 && bare.All(char.IsAsciiHexDigit);
        if (sent.BytesRead != length || (md5Etag && !ETags.Same(bare, Convert.ToHexStringLower(md5 ?? sent.Md5()))))
        {
            await undo();
            throw ObjectStoreErrors.BadDigest("data");
        }
    }

    private static List<Tag>? ToTags(IReadOnlyDictionary<string, string> tags) =>
        tags.Count == 0 ? null : [.. tags.Select(t => new Tag { Key = t.Key, Value = t.Value })];

    private static void SetHeaders(HeadersCollection headers, MetadataCollection metadata, ObjectWriteOptions options)
    {
        foreach (var (name, value) in options.Metadata)
        {
            metadata.Add(name, value);
        }

        foreach (var (name, value) in options.Headers)
        {
            headers[name] = value;
        }
    }

    private static Dictionary<string, string> StoredHeaders(HeadersCollection headers) =>
        ObjectHeaders.Stored.Where(h => !string.IsNullOrEmpty(headers[h])).ToDictionary(h => h, h => headers[h]);

    private static Dictionary<string, string> UserMetadata(MetadataCollection metadata) =>
        metadata.Keys.ToDictionary(
            k => k.StartsWith("x-amz-meta-", StringComparison.OrdinalIgnoreCase) ? k["x-amz-meta-".Length..] : k,
            k => metadata[k],
            StringComparer.OrdinalIgnoreCase);

    private static int? PartsCount(string etag)
    {
        var dash = etag.LastIndexOf('-');
        return dash > 0 && int.TryParse(ETags.Bare(etag[(dash + 1)..]), NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : null;
    }

    /// <summary>"bytes 10-19/200" → (10, 200): the first byte served and the object's full size.</summary>
    private static (long Offset, long Size)? ParseContentRange(string? contentRange)
    {
        if (string.IsNullOrEmpty(contentRange))
        {
            return null;
        }

        var dash = contentRange.IndexOf('-', StringComparison.Ordinal);
        var slash = contentRange.IndexOf('/', StringComparison.Ordinal);
        var space = contentRange.IndexOf(' ', StringComparison.Ordinal);
        return dash > space && slash > dash
            && long.TryParse(contentRange[(space + 1)..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
            && long.TryParse(contentRange[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var size)
            ? (offset, size)
            : null;
    }

    /// <summary>A body is sent again from where it started; one that cannot seek is sent once (<c>replayable: false</c>).</summary>
    private static void Rewind(Stream content, long start)
    {
        if (start >= 0)
        {
            content.Position = start;
        }
    }

    /// <summary>A call about an upload: some servers (Ceph) answer NoSuchKey for an upload that is gone.</summary>
    private async Task<T> CallUploadAsync<T>(
        string bucket, string key, string uploadId, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken,
        bool replayable = true, [CallerMemberName] string operation = "")
    {
        try
        {
            return await CallAsync(bucket, key, call, cancellationToken, replayable, operation);
        }
        catch (ObjectStoreException e) when (e.Code == "NoSuchKey")
        {
            throw ObjectStoreErrors.NoSuchUpload(uploadId);
        }
    }

    private async Task CallAsync(string? bucket, string? key, Func<CancellationToken, Task> call, CancellationToken cancellationToken,
        bool replayable = true, [CallerMemberName] string operation = "") =>
        await CallAsync(bucket, key, async t =>
        {
            await call(t);
            return true;
        }, cancellationToken, replayable, operation);

    /// <summary>
    /// Runs an SDK call through the retry policy (the SDK's own retries are off), each attempt's failures turned into
    /// <see cref="ObjectStoreException"/>s with S3's codes; a call that got no answer in time is 503 ServiceUnavailable.
    /// </summary>
    private async Task<T> CallAsync<T>(string? bucket, string? key, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken,
        bool replayable = true, [CallerMemberName] string operation = "")
    {
        var what = $"{operation.Replace("Async", "", StringComparison.Ordinal)} {bucket}{(key is null ? "" : "/" + key)}";
        try
        {
            return await (replayable ? retry : _once).ExecuteAsync(what, t => TranslateAsync(bucket, key, call, t), cancellationToken);
        }
        catch (TimeoutException e)
        {
            throw new ObjectStoreException("ServiceUnavailable", $"The external object store did not answer: {e.Message}", 503, e) { Resource = key ?? bucket };
        }
    }

    private static async Task<T> TranslateAsync<T>(string? bucket, string? key, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call(cancellationToken);
        }
        catch (AmazonS3Exception e)
        {
            var status = (int)e.StatusCode;
            var code = !string.IsNullOrEmpty(e.ErrorCode) && e.ErrorCode != "NotFound" ? e.ErrorCode : e.StatusCode switch
            {
                HttpStatusCode.NotFound => key is null ? "NoSuchBucket" : "NoSuchKey",
                HttpStatusCode.Forbidden => "AccessDenied",
                HttpStatusCode.PreconditionFailed => "PreconditionFailed",
                HttpStatusCode.NotModified => "NotModified",
                HttpStatusCode.RequestedRangeNotSatisfiable => "InvalidRange",
                _ => "InternalError",
            };
            throw new ObjectStoreException(code, e.Message, status == 0 ? 500 : status, e) { Resource = key ?? bucket };
        }
        catch (HttpRequestException e)
        {
            throw new ObjectStoreException("ServiceUnavailable", $"The external object store could not be reached: {e.Message}", 503, e) { Resource = bucket };
        }
    }
}
