namespace AmiVault.ObjectStore;

/// <summary>An object-store failure in S3's terms: the error code (NoSuchKey, BadDigest…) and the HTTP status.</summary>
internal sealed class ObjectStoreException(string code, string message, int status, Exception? inner = null) : Exception(message, inner)
{
    public string Code { get; } = code;

    public int Status { get; } = status;

    /// <summary>The bucket or key the error is about, reported as the S3 error's Resource.</summary>
    public string? Resource { get; init; }

    /// <summary>The object's current ETag, which a 304 Not Modified answer carries.</summary>
    public string? ETag { get; init; }
}
