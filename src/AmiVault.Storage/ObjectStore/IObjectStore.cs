using AmiVault.Resilience;

namespace AmiVault.ObjectStore;

/// <summary>
/// Buckets and objects as one account sees them, the same for the embedded store and an external S3. Every failure
/// is an <see cref="ObjectStoreException"/> carrying the S3 error code and HTTP status. ETags are in their S3 wire
/// form, quoted. Bodies stream: nothing here holds a whole object in memory.
/// </summary>
internal interface IObjectStore
{
    /// <summary>
    /// The retry policy of a store reached over the network, which its every call goes through; null for the
    /// embedded store. A caller that makes one step of several calls (a ranged GET and reading its body) runs the
    /// step under it, so that the step is repeated as a whole.
    /// </summary>
    ResiliencePolicy? Retry => null;

    Task<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken cancellationToken = default);

    /// <summary>Creates a bucket in the store's region.</summary>
    Task CreateBucketAsync(string bucket, CancellationToken cancellationToken = default);

    /// <summary>Fails with NoSuchBucket, or AccessDenied when the bucket is not this account's.</summary>
    Task<BucketInfo> HeadBucketAsync(string bucket, CancellationToken cancellationToken = default);

    /// <summary>Deletes a bucket without objects (BucketNotEmpty otherwise); in the embedded store, unfinished uploads go with it.</summary>
    Task DeleteBucketAsync(string bucket, CancellationToken cancellationToken = default);

    /// <summary>Whether new objects are encrypted at rest (AES256) when a request does not ask for it.</summary>
    Task<bool> GetBucketEncryptionAsync(string bucket, CancellationToken cancellationToken = default);

    Task PutBucketEncryptionAsync(string bucket, bool encryptByDefault, CancellationToken cancellationToken = default);

    /// <summary>The bucket's lifecycle rules; NoSuchLifecycleConfiguration when it has none.</summary>
    Task<IReadOnlyList<LifecycleRule>> GetBucketLifecycleAsync(string bucket, CancellationToken cancellationToken = default);

    /// <summary>Replaces the bucket's lifecycle rules; an empty list removes them.</summary>
    Task PutBucketLifecycleAsync(string bucket, IReadOnlyList<LifecycleRule> rules, CancellationToken cancellationToken = default);

    /// <summary>Stores an object; it becomes visible only once whole and verified (Content-MD5 when given).</summary>
    Task<ObjectInfo> PutObjectAsync(string bucket, string key, Stream content, long? length, ObjectWriteOptions options, CancellationToken cancellationToken = default);

    Task<ObjectInfo> HeadObjectAsync(string bucket, string key, CancellationToken cancellationToken = default);

    /// <summary>The object's data (or the requested range); dispose the result to release its files or connection.</summary>
    Task<ObjectContent> GetObjectAsync(string bucket, string key, ObjectReadOptions options, CancellationToken cancellationToken = default);

    /// <summary>Deleting an object that does not exist succeeds, as in S3.</summary>
    Task DeleteObjectAsync(string bucket, string key, CancellationToken cancellationToken = default);

    Task<ObjectListing> ListObjectsAsync(string bucket, ListObjectsQuery query, CancellationToken cancellationToken = default);

    Task<IReadOnlyDictionary<string, string>> GetObjectTaggingAsync(string bucket, string key, CancellationToken cancellationToken = default);

    Task PutObjectTaggingAsync(string bucket, string key, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken = default);

    Task DeleteObjectTaggingAsync(string bucket, string key, CancellationToken cancellationToken = default);

    /// <summary>Starts a multipart upload; metadata, tags and encryption given here apply to the completed object.</summary>
    Task<string> CreateMultipartUploadAsync(string bucket, string key, ObjectWriteOptions options, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores one part of exactly <paramref name="length"/> bytes, replacing an earlier part with the same number.
    /// <paramref name="checksum"/>: the flexible checksum the client sent with the part (the content read through it).
    /// </summary>
    Task<PartInfo> UploadPartAsync(string bucket, string key, string uploadId, int partNumber, Stream content, long length, byte[]? contentMd5 = null, ChecksummingStream? checksum = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Completes an upload; with a <paramref name="condition"/>, only if the key's current object allows it; with an
    /// <paramref name="expectedChecksum"/> (x-amz-checksum-* of the request), only if the object's checksum is that.
    /// </summary>
    Task<ObjectInfo> CompleteMultipartUploadAsync(string bucket, string key, string uploadId, IReadOnlyList<CompletedPart> parts, WriteCondition? condition = null, ObjectChecksum? expectedChecksum = null, CancellationToken cancellationToken = default);

    Task AbortMultipartUploadAsync(string bucket, string key, string uploadId, CancellationToken cancellationToken = default);

    Task<PartListing> ListPartsAsync(string bucket, string key, string uploadId, int partNumberMarker = 0, int maxParts = 1000, CancellationToken cancellationToken = default);

    Task<UploadListing> ListMultipartUploadsAsync(string bucket, ListUploadsQuery query, CancellationToken cancellationToken = default);
}
