using System.Globalization;
using AmiVault.ObjectStore;
using AmiVault.Signing;

namespace AmiVault.Protocols.S3;

/// <summary>
/// The object a copy reads (CopyObject, UploadPartCopy): x-amz-copy-source and its x-amz-copy-source-if-* conditions.
/// A copy refuses what a GET would answer with 304: S3 fails those copies with 412.
/// </summary>
internal sealed record CopySource(string Bucket, string Key, ObjectReadOptions Conditions)
{
    /// <summary>The largest source one CopyObject or one UploadPartCopy may read (5 GiB, S3's limit).</summary>
    public const long MaxCopyLength = 5L * 1024 * 1024 * 1024;

    public static CopySource From(S3Call call)
    {
        var (bucket, key) = Parse(call.Header("x-amz-copy-source")!);
        return new CopySource(bucket, key, new ObjectReadOptions
        {
            IfMatch = call.Header("x-amz-copy-source-if-match"),
            IfNoneMatch = call.Header("x-amz-copy-source-if-none-match"),
            IfModifiedSince = S3Call.HttpDate(call.Header("x-amz-copy-source-if-modified-since")),
            IfUnmodifiedSince = S3Call.HttpDate(call.Header("x-amz-copy-source-if-unmodified-since")),
        });
    }

    /// <summary>
    /// Opens the source (or <paramref name="range"/> of it) once its conditions hold. Reading it is authorized as
    /// s3:GetObject on the source, as S3 does (the copy itself is s3:PutObject on the destination); another account's
    /// bucket is read through its owner's view when its policy allows the caller.
    /// </summary>
    public async Task<ObjectContent> OpenAsync(S3Call call, ByteRange? range = null)
    {
        call.Access.Demand("s3:GetObject", Bucket, Key);
        try
        {
            return await call.Access.StoreOf(Bucket).GetObjectAsync(Bucket, Key, Conditions with { Range = range }, call.Aborted);
        }
        catch (ObjectStoreException e) when (e.Code == "NotModified")
        {
            throw ObjectStoreErrors.PreconditionFailed("x-amz-copy-source-if-none-match or -if-modified-since");
        }
    }

    /// <summary>S3's refusal of a copy that would read more than <see cref="MaxCopyLength"/> bytes.</summary>
    public static void CheckLength(long length)
    {
        if (length > MaxCopyLength)
        {
            throw ObjectStoreErrors.InvalidRequest(string.Create(CultureInfo.InvariantCulture,
                $"The specified copy source is larger than the maximum allowable size for a copy source: {MaxCopyLength}"));
        }
    }

    /// <summary>
    /// x-amz-copy-source-range: exactly bytes=first-last, both present, as S3 requires (no suffix or open ranges).
    /// </summary>
    public static ByteRange? ParseRange(string? header)
    {
        if (header is null)
        {
            return null;
        }

        var spec = header.StartsWith("bytes=", StringComparison.Ordinal) ? header["bytes=".Length..] : "";
        var dash = spec.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0
            && long.TryParse(spec[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var first)
            && long.TryParse(spec[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var last)
            && last >= first)
        {
            return new ByteRange(first, last);
        }

        throw ObjectStoreErrors.InvalidArgument(
            "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy");
    }

    /// <summary>[/]bucket/key[?versionId=…], URL-encoded (the slash after the bucket may be too).</summary>
    private static (string Bucket, string Key) Parse(string header)
    {
        var version = header.IndexOf("?versionId=", StringComparison.Ordinal);
        var source = AwsUriEncoding.Decode(version < 0 ? header : header[..version]).TrimStart('/');
        var slash = source.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == source.Length - 1)
        {
            throw ObjectStoreErrors.InvalidArgument("Copy Source must mention the source bucket and key: sourcebucket/sourcekey");
        }

        return (source[..slash], source[(slash + 1)..]);
    }
}
