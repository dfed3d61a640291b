using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using AmiVault.Accounts;

namespace AmiVault.Tests.Support;

/// <summary>
/// Hand-built, SigV4-signed S3 requests, for what real SDKs never send: wrong chunk signatures, wrong trailers,
/// truncated bodies, parts out of order. Signing follows the AWS SigV4 and aws-chunked specifications.
/// </summary>
internal sealed class RawS3Client(TestServer server, Account account) : IDisposable
{
    public const string EmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private readonly HttpClient _http = new() { BaseAddress = server.Endpoint };

    public record Answer(int Status, string Body, HttpResponseMessage Response)
    {
        public string? Code => Body.Length == 0 ? null : XDocument.Parse(Body).Root?.Element("Code")?.Value;
    }

    /// <summary>A request whose body is sent as is, signed with the given payload hash (default: its SHA-256).</summary>
    public Task<Answer> SendAsync(HttpMethod method, string pathAndQuery, byte[]? body = null, string? payloadHash = null, IDictionary<string, string>? headers = null, string? host = null, DateTime? signedAt = null)
    {
        var request = new HttpRequestMessage(method, pathAndQuery);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
        }

        Sign(request, payloadHash ?? Convert.ToHexStringLower(SHA256.HashData(body ?? [])), headers ?? new Dictionary<string, string>(), host, out _, out _, signedAt);
        return SendAsync(request);
    }

    /// <summary>
    /// A PUT with an aws-chunked body: signed chunks chained from the request signature (or unsigned ones), then an
    /// optional trailer. <paramref name="tamper"/> may change the encoded body before it is sent.
    /// </summary>
    public Task<Answer> PutChunkedAsync(string path, IReadOnlyList<byte[]> chunks, bool signed, (string Name, string Value)? trailer, long? decodedLength = null, Func<byte[], byte[]>? tamper = null)
    {
        var mode = (signed, trailer is not null) switch
        {
            (true, false) => "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
            (true, true) => "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
            (false, _) => "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        };
        var headers = new Dictionary<string, string>
        {
            ["content-encoding"] = "aws-chunked",
            ["x-amz-decoded-content-length"] = (decodedLength ?? chunks.Sum(c => (long)c.Length)).ToString(CultureInfo.InvariantCulture),
        };
        if (trailer is { } t)
        {
            headers["x-amz-trailer"] = t.Name;
        }

        var request = new HttpRequestMessage(HttpMethod.Put, path);
        Sign(request, mode, headers, null, out var seed, out var context);
        var body = new MemoryStream();
        void Line(string text) => body.Write(Encoding.ASCII.GetBytes(text + "\r\n"));
        var previous = seed;
        foreach (var chunk in chunks.Append([]))
        {
            var size = chunk.Length.ToString("x", CultureInfo.InvariantCulture);
            if (signed)
            {
                previous = Hmac(context.Key, $"AWS4-HMAC-SHA256-PAYLOAD\n{context.AmzDate}\n{context.Scope}\n{previous}\n{EmptySha256}\n{Convert.ToHexStringLower(SHA256.HashData(chunk))}");
                Line($"{size};chunk-signature={previous}");
            }
            else
            {
                Line(size);
            }

            if (chunk.Length > 0)
            {
                body.Write(chunk);
                Line("");
            }
        }

        if (trailer is { } tr)
        {
            Line($"{tr.Name}:{tr.Value}");
            if (signed)
            {
                var canonical = $"{tr.Name}:{tr.Value}\n";
                var signature = Hmac(context.Key, $"AWS4-HMAC-SHA256-TRAILER\n{context.AmzDate}\n{context.Scope}\n{previous}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}");
                Line($"x-amz-trailer-signature:{signature}");
            }
        }

        Line("");
        var bytes = tamper is null ? body.ToArray() : tamper(body.ToArray());
        request.Content = new ByteArrayContent(bytes);
        request.Content.Headers.ContentEncoding.Add("aws-chunked");
        return SendAsync(request);
    }

    /// <summary>The request line and signed headers of a request, for writing to a socket by hand.</summary>
    public string RawHead(HttpMethod method, string path, string payloadHash, long contentLength)
    {
        using var request = new HttpRequestMessage(method, path);
        Sign(request, payloadHash, new Dictionary<string, string>(), null, out _, out _);
        var head = new StringBuilder($"{method.Method} {path} HTTP/1.1\r\n");
        foreach (var header in request.Headers)
        {
            head.Append(header.Key).Append(": ").Append(string.Join(',', header.Value)).Append("\r\n");
        }

        return head.Append(CultureInfo.InvariantCulture, $"Content-Length: {contentLength}\r\n\r\n").ToString();
    }

    private async Task<Answer> SendAsync(HttpRequestMessage request)
    {
        var response = await _http.SendAsync(request);
        return new Answer((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    private void Sign(HttpRequestMessage request, string payloadHash, IDictionary<string, string> extra, string? host, out string signature, out (byte[] Key, string AmzDate, string Scope) context, DateTime? signedAt = null)
    {
        var now = signedAt ?? DateTime.UtcNow;
        var amzDate = now.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var date = amzDate[..8];
        var scope = $"{date}/{server.Region}/s3/aws4_request";
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = host ?? server.Endpoint.Authority,
            ["x-amz-date"] = amzDate,
            ["x-amz-content-sha256"] = payloadHash,
        };
        foreach (var (name, value) in extra)
        {
            headers[name.ToLowerInvariant()] = value;
        }

        var uri = new Uri(server.Endpoint, request.RequestUri!);
        var query = uri.Query.TrimStart('?');
        var canonicalQuery = string.Join('&', query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Select(p => Encode(Uri.UnescapeDataString(p[0])) + "=" + Encode(p.Length > 1 ? Uri.UnescapeDataString(p[1]) : ""))
            .Order(StringComparer.Ordinal));
        var signedHeaders = string.Join(';', headers.Keys);
        var canonical = $"{request.Method.Method}\n{uri.AbsolutePath}\n{canonicalQuery}\n{string.Concat(headers.Select(h => $"{h.Key}:{h.Value}\n"))}\n{signedHeaders}\n{payloadHash}";
        var key = SigningKey(account.SecretAccessKey, date, server.Region);
        signature = Hmac(key, $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}");
        context = (key, amzDate, scope);

        request.Headers.Host = headers["host"];
        foreach (var (name, value) in headers.Where(h => h.Key != "host"))
        {
            if (name.StartsWith("content-", StringComparison.Ordinal))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, value);
            }
            else
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("AWS4-HMAC-SHA256", $"Credential={account.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}");
    }

    private static byte[] SigningKey(string secret, string date, string region)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secret), Encoding.UTF8.GetBytes(date));
        foreach (var part in new[] { region, "s3", "aws4_request" })
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        return key;
    }

    /// <summary>SigV4's encoding: RFC 3986 unreserved characters as they are, every other byte as %XX.</summary>
    private static string Encode(string value) =>
        string.Concat(Encoding.UTF8.GetBytes(value).Select(b => char.IsAsciiLetterOrDigit((char)b) || "-_.~".Contains((char)b, StringComparison.Ordinal)
            ? ((char)b).ToString()
            : "%" + b.ToString("X2", CultureInfo.InvariantCulture)));

    private static string Hmac(byte[] key, string text) => Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(text)));

    public void Dispose() => _http.Dispose();
}
