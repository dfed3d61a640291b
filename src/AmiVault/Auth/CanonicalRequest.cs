using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace AmiVault.Auth;

/// <summary>Builds the SigV4 canonical request and string to sign from what arrived on the wire.</summary>
internal static class CanonicalRequest
{
    public static string StringToSign(HttpRequest request, SigV4Request sig, string payloadHash) =>
        StringToSign(sig.AmzDate, sig.Scope, Build(request, sig, payloadHash));

    public static string Build(HttpRequest request, SigV4Request sig, string payloadHash)
    {
        // The raw target is what the client signed; the decoded Path would lose the encoding it chose.
        var rawTarget = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path + request.QueryString;
        var queryStart = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var rawPath = queryStart < 0 ? rawTarget : rawTarget[..queryStart];
        var rawQuery = queryStart < 0 ? "" : rawTarget[(queryStart + 1)..];
        var headers = sig.SignedHeaders.Select(name => KeyValuePair.Create(name, HeaderValues(request, name))).ToList();
        return Compose(request.Method, rawPath, rawQuery, sig.Service, sig.IsPresigned, headers, payloadHash);
    }

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

    private static IReadOnlyList<string> HeaderValues(HttpRequest request, string name)
    {
        var values = request.Headers[name];
        if (name == "host" && values.Count == 0)
        {
            return [request.Host.Value ?? ""];
        }

        return [.. values.Select(v => v ?? "")];
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
