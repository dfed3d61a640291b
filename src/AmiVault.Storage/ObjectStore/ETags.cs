using System.Security.Cryptography;

namespace AmiVault.ObjectStore;

/// <summary>S3 entity tags: the quoted MD5 of a simple object or part, and "md5-of-part-md5s-N" of a multipart one.</summary>
internal static class ETags
{
    public static string FromMd5(ReadOnlySpan<byte> md5) => "\"" + Convert.ToHexStringLower(md5) + "\"";

    public static string Multipart(IEnumerable<byte[]> partMd5s)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var count = 0;
        foreach (var md5 in partMd5s)
        {
            hash.AppendData(md5);
            count++;
        }

        return "\"" + Convert.ToHexStringLower(hash.GetHashAndReset()) + "-" + count.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\"";
    }

    /// <summary>
    /// The ETag S3 gives the object completed from parts with these ETags, when every one is a plain MD5 (not with
    /// SSE-KMS or SSE-C); null when it cannot be known.
    /// </summary>
    public static string? OfCompletedParts(IEnumerable<string> partETags)
    {
        var md5s = partETags.Select(Bare).ToList();
        return md5s.Count > 0 && md5s.All(m => m.Length == 32 && m.All(char.IsAsciiHexDigit))
            ? Multipart(md5s.Select(Convert.FromHexString))
            : null;
    }

    /// <summary>The bare hex of an ETag given quoted, bare or weak (W/"…").</summary>
    public static string Bare(string etag)
    {
        var value = etag.Trim();
        if (value.StartsWith("W/", StringComparison.Ordinal))
        {
            value = value[2..];
        }

        return value.Trim('"');
    }

    public static bool Same(string a, string b) => string.Equals(Bare(a), Bare(b), StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether an If-Match / If-None-Match list ("*" or comma-separated ETags) names this ETag.</summary>
    public static bool Matches(string condition, string etag) =>
        condition.Trim() == "*" || condition.Split(',').Any(c => Same(c, etag));
}
