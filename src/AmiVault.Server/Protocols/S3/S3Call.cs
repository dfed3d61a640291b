using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using AmiVault.Auth;
using AmiVault.ObjectStore;
using Microsoft.AspNetCore.Http;

namespace AmiVault.Protocols.S3;

/// <summary>
/// One S3 request being served: who sent it, what it addresses, the view of the store its bucket is reached through,
/// what else it may reach (<see cref="Access"/>), and how to answer.
/// </summary>
internal sealed class S3Call(HttpContext context, RequestIdentity identity, S3Target target, IObjectStore store, S3Access access, string region)
{
    public HttpRequest Request => context.Request;

    public HttpResponse Response => context.Response;

    public RequestIdentity Identity => identity;

    public string AccountId => identity.Account.Id;

    public IObjectStore Store => store;

    public S3Access Access => access;

    public string Region => region;

    public S3Target Target => target;

    public string Bucket => target.Bucket ?? throw ObjectStoreErrors.InvalidRequest("This operation needs a bucket.");

    public string Key => target.Key ?? throw ObjectStoreErrors.InvalidRequest("This operation needs a key.");

    public CancellationToken Aborted => context.RequestAborted;

    public bool Has(string name) => Request.Query.ContainsKey(name);

    public string? Query(string name) => Request.Query.TryGetValue(name, out var value) ? value.ToString() : null;

    public string? Header(string name) => Request.Headers.TryGetValue(name, out var value) ? value.ToString() : null;

    /// <summary>A non-negative integer query parameter, capped at <paramref name="max"/> as S3 caps max-keys.</summary>
    public int QueryInt(string name, int fallback, int max) => BoundedInt(name, Query(name), fallback, max);

    /// <summary>The same for an integer header (x-amz-max-parts, x-amz-part-number-marker).</summary>
    public int HeaderInt(string name, int fallback, int max) => BoundedInt(name, Header(name), fallback, max);

    private static int BoundedInt(string name, string? text, int fallback, int max)
    {
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? Math.Min(value, max)
            : throw ObjectStoreErrors.InvalidArgument($"Provided {name} not an integer or within integer range");
    }

    /// <summary>
    /// The request's body; <paramref name="checksumHeadersNameTheObject"/>: the x-amz-checksum-* headers are not the
    /// body's but the object's (CompleteMultipartUpload), so they are not checked against it.
    /// </summary>
    public S3Body OpenBody(bool checksumHeadersNameTheObject = false) => S3Body.Open(Request, identity, checksumHeadersNameTheObject);

    /// <summary>Reads a small XML request body (at most <paramref name="maxBytes"/>), with DTDs and entities refused.</summary>
    public async Task<XElement> ReadXmlAsync(int maxBytes, bool checksumHeadersNameTheObject = false)
    {
        using var buffer = await ReadSmallBodyAsync(maxBytes, MalformedXml, checksumHeadersNameTheObject);
        buffer.Position = 0;
        try
        {
            using var reader = XmlReader.Create(buffer, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            return XDocument.Load(reader).Root ?? throw MalformedXml();
        }
        catch (XmlException)
        {
            throw MalformedXml();
        }
    }

    /// <summary>Reads a small UTF-8 request body (a JSON policy) of at most <paramref name="maxBytes"/>.</summary>
    public async Task<string> ReadTextAsync(int maxBytes, Func<Exception> tooLarge)
    {
        using var buffer = await ReadSmallBodyAsync(maxBytes, tooLarge);
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>The whole body, refused past <paramref name="maxBytes"/>, checked against Content-MD5 when given.</summary>
    private async Task<MemoryStream> ReadSmallBodyAsync(int maxBytes, Func<Exception> tooLarge, bool checksumHeadersNameTheObject = false)
    {
        var body = OpenBody(checksumHeadersNameTheObject);
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.Stream.ReadAsync(chunk, Aborted)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw tooLarge();
            }

            buffer.Write(chunk, 0, read);
        }

        if (body.ContentMd5 is { } md5 && !System.Security.Cryptography.MD5.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)).AsSpan().SequenceEqual(md5))
        {
            throw ObjectStoreErrors.BadDigest("Content-MD5");
        }

        buffer.Position = 0;
        return buffer;
    }

    /// <summary>An HTTP date; one that does not parse is ignored, as HTTP says and S3 does.</summary>
    public static DateTimeOffset? HttpDate(string? value) =>
        DateTimeOffset.TryParseExact(value, "R", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date)
            ? date
            : null;

    public static ObjectStoreException MalformedXml() =>
        new("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.", 400);

    public async Task RespondXmlAsync(S3Xml xml, int status = 200)
    {
        var bytes = xml.ToArray();
        Response.StatusCode = status;
        Response.ContentType = "application/xml";
        Response.ContentLength = bytes.Length;
        await Response.Body.WriteAsync(bytes, Aborted);
    }

    public void RespondEmpty(int status = 200)
    {
        Response.StatusCode = status;
        Response.ContentLength = 0;
    }
}
