using AmiVault.Auth;
using AmiVault.Configuration;
using AmiVault.Iam;
using AmiVault.Iam.Policies;
using AmiVault.ObjectStore;

namespace AmiVault.Console;

/// <summary>
/// The console's view of the signed-in account's buckets: each read is authorized by the same <see cref="Authorizer"/>
/// as the S3 request that would make it (the IAM action S3Endpoint routes it to, on the same bucket or object ARN), for
/// the session's principal; a denial is S3's AccessDenied with AWS's message. The console only reads buckets (stores
/// and restores go through the EC2 actions), so the writing half of the interface refuses outright.
/// </summary>
internal sealed class AuthorizedObjectStore(IObjectStore inner, Authorizer authorizer, ServerContext server, IamPrincipal principal, RequestFacts facts) : IObjectStore
{
    public Task<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken cancellationToken = default)
    {
        Demand("s3:ListAllMyBuckets", ResourceArns.Any);
        return inner.ListBucketsAsync(cancellationToken);
    }

    public Task<BucketInfo> HeadBucketAsync(string bucket, CancellationToken cancellationToken = default)
    {
        Demand("s3:ListBucket", ResourceArns.Bucket(server, bucket));
        return inner.HeadBucketAsync(bucket, cancellationToken);
    }

    public Task<ObjectListing> ListObjectsAsync(string bucket, ListObjectsQuery query, CancellationToken cancellationToken = default)
    {
        Demand("s3:ListBucket", ResourceArns.Bucket(server, bucket));
        return inner.ListObjectsAsync(bucket, query, cancellationToken);
    }

    public Task<ObjectInfo> HeadObjectAsync(string bucket, string key, CancellationToken cancellationToken = default)
    {
        Demand("s3:GetObject", ResourceArns.Object(server, bucket, key));
        return inner.HeadObjectAsync(bucket, key, cancellationToken);
    }

    public Task<ObjectContent> GetObjectAsync(string bucket, string key, ObjectReadOptions options, CancellationToken cancellationToken = default)
    {
        Demand("s3:GetObject", ResourceArns.Object(server, bucket, key));
        return inner.GetObjectAsync(bucket, key, options, cancellationToken);
    }

    public Task<IReadOnlyDictionary<string, string>> GetObjectTaggingAsync(string bucket, string key, CancellationToken cancellationToken = default)
    {
        Demand("s3:GetObjectTagging", ResourceArns.Object(server, bucket, key));
        return inner.GetObjectTaggingAsync(bucket, key, cancellationToken);
    }

    public Task<bool> GetBucketEncryptionAsync(string bucket, CancellationToken cancellationToken = default)
    {
        Demand("s3:GetEncryptionConfiguration", ResourceArns.Bucket(server, bucket));
        return inner.GetBucketEncryptionAsync(bucket, cancellationToken);
    }

    public Task<PartListing> ListPartsAsync(string bucket, string key, string uploadId, int partNumberMarker = 0, int maxParts = 1000, CancellationToken cancellationToken = default)
    {
        Demand("s3:ListMultipartUploadParts", ResourceArns.Object(server, bucket, key));
        return inner.ListPartsAsync(bucket, key, uploadId, partNumberMarker, maxParts, cancellationToken);
    }

    public Task<UploadListing> ListMultipartUploadsAsync(string bucket, ListUploadsQuery query, CancellationToken cancellationToken = default)
    {
        Demand("s3:ListBucketMultipartUploads", ResourceArns.Bucket(server, bucket));
        return inner.ListMultipartUploadsAsync(bucket, query, cancellationToken);
    }

    public Task<IReadOnlyList<LifecycleRule>> GetBucketLifecycleAsync(string bucket, CancellationToken cancellationToken = default)
    {
        Demand("s3:GetLifecycleConfiguration", ResourceArns.Bucket(server, bucket));
        return inner.GetBucketLifecycleAsync(bucket, cancellationToken);
    }

    public Task PutBucketLifecycleAsync(string bucket, IReadOnlyList<LifecycleRule> rules, CancellationToken cancellationToken = default) => throw ReadOnly();

    public Task CreateBucketAsync(string bucket, CancellationToken cancellationToken = default) => throw ReadOnly();

    public Task DeleteBucketAsync(string bucket, CancellationToken cancellationToken = default) => throw ReadOnly();

    public Task PutBucketEncryptionAsync(string bucket, bool encryptByDefault, CancellationToken cancellationToken = default) => throw ReadOnly();

    public Task<ObjectInfo> PutObjectAsync(string bucket, string key, Stream content, long? length, ObjectWriteOptions options, CancellationToken cancellationToken = default) => throw ReadOnly();

    public Task DeleteObjectAsync(string bucket, string key, CancellationToken cancellationToken = default) => throw ReadOnly();

    public Task PutObjectTaggingAsync(string bucket, string key, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken = default) => throw ReadOnly();

    public Task DeleteObjectTaggingAsync(string bucket, string key, CancellationToken cancellationToken = default) => throw ReadOnly();

    public Task<string> CreateMultipartUploadAsync(string bucket, string key, ObjectWriteOptions options, CancellationToken cancellationToken = default) => throw ReadOnly();

    public Task<PartInfo> UploadPartAsync(string bucket, string key, string uploadId, int partNumber, Stream content, long length, byte[]? contentMd5 = null, ChecksummingStream? checksum = null, CancellationToken cancellationToken = default) =>
        throw ReadOnly();

    public Task<ObjectInfo> CompleteMultipartUploadAsync(string bucket, string key, string uploadId, IReadOnlyList<CompletedPart> parts, WriteCondition? condition = null, ObjectChecksum? expectedChecksum = null, CancellationToken cancellationToken = default) =>
        throw ReadOnly();

    public Task AbortMultipartUploadAsync(string bucket, string key, string uploadId, CancellationToken cancellationToken = default) => throw ReadOnly();

    private void Demand(string action, string resource)
    {
        var result = authorizer.Check(principal, action, [resource], facts);
        if (!result.Allowed)
        {
            throw new ObjectStoreException("AccessDenied", result.Message!, 403) { Resource = resource };
        }
    }

    private static NotSupportedException ReadOnly() => new("The console reads buckets only; it stores and restores through the EC2 actions.");
}
