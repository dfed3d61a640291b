namespace AmiVault.ObjectStore;

/// <summary>
/// A GET's range (bytes, or one part of a multipart object) and preconditions; ETags may be given quoted or bare.
/// </summary>
internal sealed record ObjectReadOptions
{
    public static readonly ObjectReadOptions Whole = new();

    public ByteRange? Range { get; init; }

    /// <summary>Reads one part of a multipart object (part 1 of a simple object is all of it).</summary>
    public int? PartNumber { get; init; }

    public string? IfMatch { get; init; }

    public string? IfNoneMatch { get; init; }

    public DateTimeOffset? IfModifiedSince { get; init; }

    public DateTimeOffset? IfUnmodifiedSince { get; init; }

    /// <summary>
    /// HTTP's precondition order as S3 applies it: If-Match (else If-Unmodified-Since) fails with 412; If-None-Match
    /// (else If-Modified-Since) answers 304. Dates compare at the second, the precision of HTTP dates.
    /// </summary>
    public void Check(string etag, DateTimeOffset lastModified)
    {
        var modified = DateTimeOffset.FromUnixTimeSeconds(lastModified.ToUnixTimeSeconds());
        if (IfMatch is { } ifMatch ? !ETags.Matches(ifMatch, etag) : IfUnmodifiedSince is { } since && modified > since)
        {
            throw ObjectStoreErrors.PreconditionFailed(IfMatch is null ? "If-Unmodified-Since" : "If-Match");
        }

        if (IfNoneMatch is { } ifNoneMatch ? ETags.Matches(ifNoneMatch, etag) : IfModifiedSince is { } after && modified <= after)
        {
            throw ObjectStoreErrors.NotModified(etag);
        }
    }
}
