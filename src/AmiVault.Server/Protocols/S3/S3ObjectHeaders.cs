using System.Globalization;
using AmiVault.ObjectStore;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace AmiVault.Protocols.S3;

/// <summary>What object requests say in headers (metadata, tags, encryption, ACL) and what object answers carry.</summary>
internal static class S3ObjectHeaders
{
    private const string MetaPrefix = "x-amz-meta-";

    /// <summary>Canned ACLs that keep an object or bucket private to its owner; everything else would share it.</summary>
    private static readonly HashSet<string> PrivateAcls = new(StringComparer.Ordinal) { "private", "bucket-owner-read", "bucket-owner-full-control" };

    public static ObjectWriteOptions WriteOptions(S3Call call, byte[]? contentMd5)
    {
        RefusePublicAcl(call);
        return new ObjectWriteOptions
        {
            ContentType = call.Request.ContentType,
            Metadata = Metadata(call.Request),
            Headers = StoredHeaders(call.Request),
            Tags = call.Header("x-amz-tagging") is { } tagging ? ParseTagging(tagging) : new Dictionary<string, string>(),
            Encrypt = Encryption(call),
            ContentMd5 = contentMd5,
            Condition = WriteCondition.From(call.Header("If-Match"), call.Header("If-None-Match")),
        };
    }

    public static Dictionary<string, string> Metadata(HttpRequest request) =>
        request.Headers
            .Where(h => h.Key.StartsWith(MetaPrefix, StringComparison.OrdinalIgnoreCase))
            .ToDictionary(h => h.Key[MetaPrefix.Length..].ToLowerInvariant(), h => h.Value.ToString());

    /// <summary>
    /// The standard headers S3 keeps with an object (<see cref="ObjectHeaders"/>). Content-Encoding loses its
    /// aws-chunked coding, which describes this request's framing, not the object.
    /// </summary>
    public static Dictionary<string, string> StoredHeaders(HttpRequest request)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in ObjectHeaders.Stored)
        {
            var value = request.Headers[name].ToString();
            if (name == ObjectHeaders.ContentEncoding)
            {
                value = string.Join(",", value.Split(',').Select(c => c.Trim()).Where(c => c.Length > 0 && c != "aws-chunked"));
            }

            if (value.Length > 0)
            {
                headers[name] = value;
            }
        }

        return headers;
    }

    /// <summary>x-amz-server-side-encryption: AES256 asks for encryption at rest; KMS and customer keys are not offered.</summary>
    public static bool? Encryption(S3Call call)
    {
        if (call.Header("x-amz-server-side-encryption-customer-algorithm") is not null)
        {
            throw new ObjectStoreException("NotImplemented", "Server-side encryption with customer-provided keys is not implemented.", 501);
        }

        return call.Header("x-amz-server-side-encryption") switch
        {
            null => null,
            "AES256" => true,
            var other => throw ObjectStoreErrors.InvalidArgument($"The encryption method {other} is not supported; use AES256."),
        };
    }

    /// <summary>Buckets and objects are private: a canned ACL or grant that would share them is AccessDenied.</summary>
    public static void RefusePublicAcl(S3Call call)
    {
        if (call.Header("x-amz-acl") is { } acl && !PrivateAcls.Contains(acl))
        {
            throw ObjectStoreErrors.AccessDenied();
        }

        if (call.Request.Headers.Keys.Any(h => h.StartsWith("x-amz-grant-", StringComparison.OrdinalIgnoreCase)))
        {
            throw ObjectStoreErrors.AccessDenied();
        }
    }

    /// <summary>The x-amz-tagging header: a URL query string of key=value pairs.</summary>
    public static Dictionary<string, string> ParseTagging(string header)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in QueryHelpers.ParseQuery(header.StartsWith('?') ? header : "?" + header))
        {
            if (value.Count != 1 || !tags.TryAdd(key, value.ToString()))
            {
                throw ObjectStoreErrors.InvalidTag("Cannot provide multiple Tags with the same key");
            }
        }

        return tags;
    }

    /// <summary>
    /// x-amz-expiration, as S3 sends it on PUT, GET, HEAD, copy and completion for an object a lifecycle rule will
    /// delete: expiry-date="HTTP date", rule-id="the rule's id, URL-encoded".
    /// </summary>
    public static void Expiration(HttpResponse response, ObjectExpiration? expiration)
    {
        if (expiration is not null)
        {
            response.Headers["x-amz-expiration"] =
                $"expiry-date=\"{expiration.Date.ToString("R", CultureInfo.InvariantCulture)}\", rule-id=\"{Uri.EscapeDataString(expiration.RuleId)}\"";
        }
    }

    /// <summary>GetObject's response-* query parameters and the header each one overrides.</summary>
    private static readonly (string Query, string Header)[] Overrides =
    [
        ("response-content-type", "Content-Type"), ("response-content-language", ObjectHeaders.ContentLanguage),
        ("response-expires", ObjectHeaders.Expires), ("response-cache-control", ObjectHeaders.CacheControl),
        ("response-content-disposition", ObjectHeaders.ContentDisposition), ("response-content-encoding", ObjectHeaders.ContentEncoding),
    ];

    /// <summary>The object's headers on a GET or HEAD answer, with the response-* overrides of the request applied.</summary>
    public static void Write(HttpRequest request, HttpResponse response, ObjectInfo info)
    {
        var headers = response.Headers;
        headers.ETag = info.ETag;
        headers.LastModified = info.LastModified.ToString("R", CultureInfo.InvariantCulture);
        headers.AcceptRanges = "bytes";
        response.ContentType = info.ContentType ?? "binary/octet-stream";
        foreach (var (name, value) in info.Headers)
        {
            headers[name] = value;
        }

        foreach (var (query, header) in Overrides)
        {
            if (request.Query.TryGetValue(query, out var value))
            {
                headers[header] = value.ToString();
            }
        }

        foreach (var (name, value) in info.Metadata)
        {
            headers[MetaPrefix + name] = value;
        }

        if (info.Encrypted)
        {
            headers["x-amz-server-side-encryption"] = "AES256";
        }

        Expiration(response, info.Expiration);
        if (info.TagCount > 0)
        {
            headers["x-amz-tagging-count"] = info.TagCount.ToString(CultureInfo.InvariantCulture);
        }

        // S3 tells the parts count only to a request for one part.
        if (info.PartsCount is { } parts && request.Query.ContainsKey("partNumber"))
        {
            headers["x-amz-mp-parts-count"] = parts.ToString(CultureInfo.InvariantCulture);
        }
    }
}
