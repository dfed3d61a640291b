using System.Globalization;
using System.Security.Cryptography;
using AmiVault.Signing;

namespace AmiVault.Client;

/// <summary>
/// Signs HttpClient requests with AWS Signature Version 4 (Authorization header), for one key pair, region and
/// service. The body is either covered by its SHA-256 or sent as <see cref="UnsignedPayload"/> (EBS block data,
/// S3 over TLS). Temporary credentials add their session token as X-Amz-Security-Token. Stateless apart from a
/// cache of daily signing keys: safe to share between concurrent requests. The canonical request is built by the
/// same code the server verifies with.
/// </summary>
internal sealed class SigV4Signer(string accessKeyId, string secretAccessKey, string region, string service, TimeProvider? time = null, string? sessionToken = null)
{
    public const string UnsignedPayload = CanonicalRequest.UnsignedPayload;

    /// <summary>SHA-256 of an empty body, hex: the payload hash of a GET.</summary>
    public static readonly string EmptyPayloadHash = HashPayload([]);

    private readonly SigningKeyCache _keys = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public string Region => region;

    public string Service => service;

    public static string HashPayload(ReadOnlySpan<byte> body) => Convert.ToHexStringLower(SHA256.HashData(body));

    /// <summary>
    /// Adds X-Amz-Date, X-Amz-Content-SHA256 and Authorization. Signs host, every x-amz-* header, content-type and
    /// content-md5, so set those before calling. Sign each attempt anew: a retry needs a fresh date.
    /// </summary>
    public void Sign(HttpRequestMessage request, string payloadHash)
    {
        var uri = request.RequestUri ?? throw new ArgumentException("The request has no URI.", nameof(request));
        var now = _time.GetUtcNow().UtcDateTime;
        var amzDate = now.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var date = amzDate[..8];

        request.Headers.Remove("X-Amz-Date");
        request.Headers.Remove("X-Amz-Content-SHA256");
        request.Headers.Remove("Authorization");
        request.Headers.Remove("X-Amz-Security-Token");
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        if (sessionToken is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", sessionToken);
        }

        request.Headers.TryAddWithoutValidation("X-Amz-Content-SHA256", payloadHash);
        request.Headers.Host ??= uri.Authority;

        var signed = new SortedDictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal) { ["host"] = [request.Headers.Host] };
        var headers = request.Content is null ? request.Headers : request.Headers.Concat(request.Content.Headers);
        foreach (var (name, values) in headers)
        {
            var lower = name.ToLowerInvariant();
            if (lower.StartsWith("x-amz-", StringComparison.Ordinal) || lower is "content-type" or "content-md5")
            {
                signed[lower] = [.. values];
            }
        }

        var scope = $"{date}/{region}/{service}/aws4_request";
        var canonical = CanonicalRequest.Compose(
            request.Method.Method, uri.AbsolutePath, uri.Query.TrimStart('?'), service, presigned: false, [.. signed], payloadHash);
        var signature = CanonicalRequest.Signature(_keys.Get(secretAccessKey, date, region, service), CanonicalRequest.StringToSign(amzDate, scope, canonical));
        request.Headers.TryAddWithoutValidation(
            "Authorization", $"AWS4-HMAC-SHA256 Credential={accessKeyId}/{scope}, SignedHeaders={string.Join(';', signed.Keys)}, Signature={signature}");
    }
}
