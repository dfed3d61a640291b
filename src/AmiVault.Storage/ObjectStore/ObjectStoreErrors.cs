using System.Globalization;

namespace AmiVault.ObjectStore;

/// <summary>The S3 errors both stores and the S3 endpoint raise, with S3's codes, statuses and wording.</summary>
internal static class ObjectStoreErrors
{
    public static ObjectStoreException NoSuchBucket(string bucket) =>
        new("NoSuchBucket", "The specified bucket does not exist", 404) { Resource = bucket };

    public static ObjectStoreException NoSuchKey(string key) =>
        new("NoSuchKey", "The specified key does not exist.", 404) { Resource = key };

    public static ObjectStoreException NoSuchLifecycleConfiguration(string bucket) =>
        new("NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist", 404) { Resource = bucket };

    public static ObjectStoreException NoSuchUpload(string uploadId) =>
        new("NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.", 404) { Resource = uploadId };

    public static ObjectStoreException AccessDenied(string? resource = null) =>
        new("AccessDenied", "Access Denied", 403) { Resource = resource };

    public static ObjectStoreException BucketAlreadyExists(string bucket) =>
        new("BucketAlreadyExists", "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.", 409) { Resource = bucket };

    public static ObjectStoreException BucketAlreadyOwnedByYou(string bucket) =>
        new("BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.", 409) { Resource = bucket };

    public static ObjectStoreException BucketNotEmpty(string bucket) =>
        new("BucketNotEmpty", "The bucket you tried to delete is not empty", 409) { Resource = bucket };

    public static ObjectStoreException InvalidBucketName(string bucket) =>
        new("InvalidBucketName", "The specified bucket is not valid.", 400) { Resource = bucket };

    public static ObjectStoreException KeyTooLong() =>
        new("KeyTooLongError", "Your key is too long", 400);

    public static ObjectStoreException InvalidArgument(string message) => new("InvalidArgument", message, 400);

    public static ObjectStoreException InvalidRequest(string message) => new("InvalidRequest", message, 400);

    public static ObjectStoreException InvalidTag(string message) => new("InvalidTag", message, 400);

    public static ObjectStoreException MetadataTooLarge() =>
        new("MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size.", 400);

    public static ObjectStoreException InvalidPart(int partNumber) =>
        new("InvalidPart", $"One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag. (part {partNumber})", 400);

    public static ObjectStoreException InvalidPartOrder() =>
        new("InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered by part number.", 400);

    public static ObjectStoreException EntityTooSmall(int partNumber) =>
        new("EntityTooSmall", $"Your proposed upload is smaller than the minimum allowed object size. (part {partNumber})", 400);

    public static ObjectStoreException EntityTooLarge() =>
        new("EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size.", 400);

    public static ObjectStoreException PreconditionFailed(string condition) =>
        new("PreconditionFailed", $"At least one of the pre-conditions you specified did not hold ({condition}).", 412);

    /// <summary>304: the answer to a GET or HEAD whose If-None-Match / If-Modified-Since held (the endpoint sends no body).</summary>
    public static ObjectStoreException NotModified(string etag) => new("NotModified", "Not Modified", 304) { ETag = etag };

    public static ObjectStoreException InvalidRange(long size) =>
        new("InvalidRange", string.Create(CultureInfo.InvariantCulture, $"The requested range is not satisfiable (object size {size})."), 416);

    public static ObjectStoreException InvalidPartNumber() =>
        new("InvalidPartNumber", "The requested partnumber is not satisfiable", 416);

    public static ObjectStoreException BadDigest(string what) =>
        new("BadDigest", $"The {what} you specified did not match what we received.", 400);

    public static ObjectStoreException InvalidDigest(string what) =>
        new("InvalidDigest", $"The {what} you specified is not valid.", 400);

    /// <summary>
    /// The stored data of an object failed its integrity check (<paramref name="detail"/> says where, never a path):
    /// answered as S3 answers a server-side fault, and never with the damaged bytes.
    /// </summary>
    public static ObjectStoreException StoredDataCorrupt(string detail) =>
        new("InternalError", $"We encountered an internal error: the stored data of this object failed its integrity check ({detail}). It is not served.", 500);

    public static ObjectStoreException IncompleteBody(string message = "You did not provide the number of bytes specified by the Content-Length HTTP header.") =>
        new("IncompleteBody", message, 400);
}
