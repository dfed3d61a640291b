using System.Security.Cryptography;
using System.Text;

namespace AmiVault.Signing;

/// <summary>
/// The SigV4 canonical request, string to sign and signature from a request's parts as they travel: one definition
/// for the server that checks a signature and the client that makes one.
/// </summary>
internal static class CanonicalRequest
{
    /// <summary>The payload hash that leaves the body out of the signature.</summary>
    public const string UnsignedPayload = "UNSIGNED-PAYLOAD";

    /// <summary>
    /// The canonical request from its parts as they travel: the path and query still percent-encoded, and each signed
    /// header (lower-case name, in signing order) with its raw values. Shared by the server and our own client signer.
    /// </summary>
    public static string Compose(
        string method, string rawPath, string rawQuery, string service, bool presigned,
        IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>> signedHeaders, string payloadHash)
    {
        if (rawPath.Length == 0 || rawPath[0] != '/')
        {
            rawPath = "/";
        }

        var builder = new StringBuilder(512);
        builder.Append(method).Append('\n');
        builder.Append(CanonicalPath(rawPath, service)).Append('\n');
        builder.Append(CanonicalQuery(rawQuery, presigned)).Append('\n');
        foreach (var (name, values) in signedHeaders)
        {
            builder.Append(name).Append(':').Append(string.Join(',', values.Select(CollapseSpaces))).Append('\n');
        }

        builder.Append('\n').Append(string.Join(';', signedHeaders.Select(h => h.Key))).Append('\n').Append(payloadHash);
        return builder.ToString();
    }

    public static string StringToSign(string amzDate, string scope, string canonicalRequest)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)));
        return $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{hash}";
    }

    public static string Signature(byte[] signingKey, string stringToSign) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(stringToSign)));

    /// <summary>S3 signs the path encoded once; every other service signs it encoded a second time.</summary>
    private static string CanonicalPath(string rawPath, string service)
    {
        if (service == "s3")
        {
            var segments = rawPath.Split('/');
            return string.Join('/', segments.Select(s => AwsUriEncoding.Encode(AwsUriEncoding.Decode(s), keepSlash: false)));
        }

        return AwsUriEncoding.Encode(rawPath, keepSlash: true);
    }

    private static string CanonicalQuery(string rawQuery, bool presigned)
    {
        if (rawQuery.Length == 0)
        {
            return "";
        }

        var pairs = new List<(string Key, string Value)>();
        foreach (var part in rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var key = AwsUriEncoding.Decode(eq < 0 ? part : part[..eq]);
            var value = eq < 0 ? "" : AwsUriEncoding.Decode(part[(eq + 1)..]);
            if (presigned && key == "X-Amz-Signature")
            {
                continue;
            }

            pairs.Add((AwsUriEncoding.Encode(key, keepSlash: false), AwsUriEncoding.Encode(value, keepSlash: false)));
        }

        pairs.Sort((a, b) =>
        {
            var byKey = string.CompareOrdinal(a.Key, b.Key);
            return byKey != 0 ? byKey : string.CompareOrdinal(a.Value, b.Value);
        });
        return string.Join('&', pairs.Select(p => p.Key + "=" + p.Value));
    }

    private static string CollapseSpaces(string value)
    {
        var trimmed = value.Trim();
        if (!trimmed.Contains("  ", StringComparison.Ordinal))
        {
            return trimmed;
        }

        var builder = new StringBuilder(trimmed.Length);
        var previousSpace = false;
        foreach (var c in trimmed)
        {
            if (c == ' ' && previousSpace)
            {
                continue;
            }

            previousSpace = c == ' ';
            builder.Append(c);
        }

        return builder.ToString();
    }
}
