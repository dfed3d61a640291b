using System.Globalization;
using AmiVault.Auth;
using AmiVault.Iam;
using AmiVault.ObjectStore;

namespace AmiVault.Protocols.S3;

/// <summary>Object operations: put, get (ranges, parts, preconditions), head, delete, copy, tagging, ACLs.</summary>
internal static class ObjectActions
{
    private const int MaxDeleteXml = 2 * 1024 * 1024;
    private const int MaxTaggingXml = 64 * 1024;
    private const int MaxDeleteKeys = 1000;
    private const int CopyBuffer = 256 * 1024;
    private const int MaxAttributeParts = 1000;

    private static readonly HashSet<string> KnownAttributes = new(StringComparer.Ordinal) { "ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize" };

    public static async Task PutAsync(S3Call call)
    {
        var body = call.OpenBody();
        var options = S3ObjectHeaders.WriteOptions(call, body.ContentMd5) with { Checksum = body.Checksum };
        var info = await call.Store.PutObjectAsync(call.Bucket, call.Key, body.Stream, body.Length, options, call.Aborted);
        AnswerWrite(call, info.ETag, info.Encrypted, info.Checksum ?? body.VerifiedChecksum, withType: true);
        S3ObjectHeaders.Expiration(call.Response, info.Expiration);
        call.RespondEmpty();
    }

    public static async Task GetAsync(S3Call call)
    {
        await using var content = await call.Store.GetObjectAsync(call.Bucket, call.Key, ReadOptions(call), call.Aborted);
        WriteHeaders(call, content);
        await content.Body.CopyToAsync(call.Response.Body, CopyBuffer, call.Aborted);
    }

    public static async Task HeadAsync(S3Call call)
    {
        await using var content = await call.Store.GetObjectAsync(call.Bucket, call.Key, ReadOptions(call), call.Aborted);
        WriteHeaders(call, content);
    }

    public static async Task DeleteAsync(S3Call call)
    {
        await call.Store.DeleteObjectAsync(call.Bucket, call.Key, call.Aborted);
        call.RespondEmpty(204);
    }

    public static async Task DeleteObjectsAsync(S3Call call)
    {
        await call.Store.HeadBucketAsync(call.Bucket, call.Aborted);
        var request = await call.ReadXmlAsync(MaxDeleteXml);
        var keys = request.Children("Object").Select(o => o.ChildValue("Key") ?? throw S3Call.MalformedXml()).ToList();
        if (keys.Count is 0 or > MaxDeleteKeys)
        {
            throw S3Call.MalformedXml();
        }

        var quiet = request.ChildValue("Quiet") == "true";
        using var xml = new S3Xml("DeleteResult");
        foreach (var key in keys)
        {
            try
            {
                // Each key is authorized on its own: a policy may allow some of them (a prefix) and not others.
                call.Access.Demand("s3:DeleteObject", call.Bucket, key);
                await call.Store.DeleteObjectAsync(call.Bucket, key, call.Aborted);
                if (!quiet)
                {
                    xml.Start("Deleted").Value("Key", key).End();
                }
            }
            catch (ObjectStoreException e)
            {
                xml.Start("Error").Value("Key", key).Value("Code", e.Code).Value("Message", e.Message).End();
            }
            catch (AccessDeniedException e)
            {
                xml.Start("Error").Value("Key", key).Value("Code", "AccessDenied").Value("Message", e.Message).End();
            }
        }

        await call.RespondXmlAsync(xml);
    }

    /// <summary>
    /// CopyObject: streams the source into a new object. Metadata and tags are copied unless the request replaces them
    /// (x-amz-metadata-directive / x-amz-tagging-directive: REPLACE); encryption is the request's or the bucket's.
    /// </summary>
    public static async Task CopyAsync(S3Call call)
    {
        var copySource = CopySource.From(call);
        var replaceMetadata = Directive(call, "x-amz-metadata-directive");
        var replaceTags = Directive(call, "x-amz-tagging-directive");
        S3ObjectHeaders.RefusePublicAcl(call);
        var encrypt = S3ObjectHeaders.Encryption(call);
        if (copySource.Bucket == call.Bucket && copySource.Key == call.Key && !replaceMetadata && !replaceTags && encrypt is null)
        {
            throw ObjectStoreErrors.InvalidRequest("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
        }

        await using (var source = await copySource.OpenAsync(call))
        {
            CopySource.CheckLength(source.Length);

            // The copy keeps a checksum of the source's algorithm, or of the one the request names, computed anew
            // over the bytes copied (a composite source becomes a simple object).
            var algorithm = call.Header("x-amz-checksum-algorithm") is { } named
                ? FlexibleChecksum.Normalize(named) ?? throw S3Body.UnsupportedAlgorithm()
                : source.Info.Checksum?.Algorithm;
            using var checksum = algorithm is null ? null : new ChecksummingStream(source.Body, FlexibleChecksum.Create(algorithm), expected: null);
            var options = new ObjectWriteOptions
            {
                ContentType = replaceMetadata ? call.Request.ContentType : source.Info.ContentType,
                Metadata = replaceMetadata ? S3ObjectHeaders.Metadata(call.Request) : source.Info.Metadata,
                Headers = replaceMetadata ? S3ObjectHeaders.StoredHeaders(call.Request) : source.Info.Headers,
                Tags = replaceTags
                    ? (call.Header("x-amz-tagging") is { } tagging ? S3ObjectHeaders.ParseTagging(tagging) : new Dictionary<string, string>())
                    : await call.Access.StoreOf(copySource.Bucket).GetObjectTaggingAsync(copySource.Bucket, copySource.Key, call.Aborted),
                Encrypt = encrypt,
                Checksum = checksum,
            };
            var info = await call.Store.PutObjectAsync(call.Bucket, call.Key, checksum ?? source.Body, source.Length, options, call.Aborted);
            if (info.Encrypted)
            {
                call.Response.Headers["x-amz-server-side-encryption"] = "AES256";
            }

            S3ObjectHeaders.Expiration(call.Response, info.Expiration);
            using var xml = new S3Xml("CopyObjectResult");
            xml.Value("LastModified", info.LastModified).Value("ETag", info.ETag).Checksum(info.Checksum, withType: true);
            await call.RespondXmlAsync(xml);
        }
    }

    /// <summary>
    /// GetObjectAttributes: the attributes x-amz-object-attributes asks for. ObjectParts pages through the parts of a
    /// multipart object (x-amz-max-parts, x-amz-part-number-marker), with each part's checksum when the object's is
    /// composite; a simple object has none. Checksum: the object's, a composite one without its -N (as S3 answers it here).
    /// </summary>
    public static async Task GetAttributesAsync(S3Call call)
    {
        var asked = (call.Header("x-amz-object-attributes") ?? "")
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .ToHashSet(StringComparer.Ordinal);
        if (asked.Count == 0)
        {
            throw ObjectStoreErrors.InvalidArgument("Missing required header for this request: x-amz-object-attributes");
        }

        if (asked.FirstOrDefault(a => !KnownAttributes.Contains(a)) is { } unknown)
        {
            throw ObjectStoreErrors.InvalidArgument($"Invalid attribute name specified: {unknown}");
        }

        var maxParts = call.HeaderInt("x-amz-max-parts", MaxAttributeParts, MaxAttributeParts);
        var marker = call.HeaderInt("x-amz-part-number-marker", 0, ObjectStoreLimits.MaxPartNumber);
        var info = await call.Store.HeadObjectAsync(call.Bucket, call.Key, call.Aborted);
        call.Response.Headers.LastModified = info.LastModified.ToString("R", CultureInfo.InvariantCulture);

        using var xml = new S3Xml("GetObjectAttributesResponse");
        if (asked.Contains("ETag"))
        {
            xml.Value("ETag", info.ETag.Trim('"'));
        }

        if (asked.Contains("ObjectParts") && info.PartsCount is { } partsCount)
        {
            var last = (int)Math.Min(partsCount, (long)marker + maxParts);
            xml.Start("ObjectParts").Value("PartsCount", partsCount).Value("PartNumberMarker", marker)
                .Value("NextPartNumberMarker", last).Value("MaxParts", maxParts).Value("IsTruncated", last < partsCount);
            for (var part = marker + 1; part <= last; part++)
            {
                await using var content = await call.Store.GetObjectAsync(call.Bucket, call.Key, new ObjectReadOptions { PartNumber = part, IfMatch = info.ETag }, call.Aborted);
                xml.Start("Part").Value("PartNumber", part).Value("Size", content.Length);
                if (info.Checksum is { Composite: true } && content.Checksum is { } partChecksum)
                {
                    xml.Value("Checksum" + partChecksum.Algorithm, partChecksum.Value);
                }

                xml.End();
            }

            xml.End();
        }

        if (asked.Contains("Checksum") && info.Checksum is { } checksum)
        {
            xml.Start("Checksum").Value("Checksum" + checksum.Algorithm, checksum.Value).Value("ChecksumType", checksum.Type).End();
        }

        if (asked.Contains("StorageClass"))
        {
            xml.Value("StorageClass", "STANDARD");
        }

        if (asked.Contains("ObjectSize"))
        {
            xml.Value("ObjectSize", info.Size);
        }

        await call.RespondXmlAsync(xml);
    }

    public static async Task GetTaggingAsync(S3Call call)
    {
        var tags = await call.Store.GetObjectTaggingAsync(call.Bucket, call.Key, call.Aborted);
        using var xml = new S3Xml("Tagging");
        xml.Start("TagSet");
        foreach (var (key, value) in tags)
        {
            xml.Start("Tag").Value("Key", key).Value("Value", value).End();
        }

        await call.RespondXmlAsync(xml.End());
    }

    public static async Task PutTaggingAsync(S3Call call)
    {
        var request = await call.ReadXmlAsync(MaxTaggingXml);
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in request.Child("TagSet")?.Children("Tag") ?? throw S3Call.MalformedXml())
        {
            var key = tag.ChildValue("Key") ?? throw S3Call.MalformedXml();
            if (!tags.TryAdd(key, tag.ChildValue("Value") ?? ""))
            {
                throw ObjectStoreErrors.InvalidTag("Cannot provide multiple Tags with the same key");
            }
        }

        await call.Store.PutObjectTaggingAsync(call.Bucket, call.Key, tags, call.Aborted);
        call.RespondEmpty();
    }

    public static async Task DeleteTaggingAsync(S3Call call)
    {
        await call.Store.DeleteObjectTaggingAsync(call.Bucket, call.Key, call.Aborted);
        call.RespondEmpty(204);
    }

    public static async Task GetAclAsync(S3Call call)
    {
        await call.Store.HeadObjectAsync(call.Bucket, call.Key, call.Aborted);
        await BucketActions.RespondOwnerOnlyAclAsync(call);
    }

    public static async Task PutAclAsync(S3Call call)
    {
        await call.Store.HeadObjectAsync(call.Bucket, call.Key, call.Aborted);
        await BucketActions.CheckPrivateAclAsync(call);
        call.RespondEmpty();
    }

    /// <summary>The ETag, encryption and checksum of a body just written (PutObject also tells the checksum's type).</summary>
    public static void AnswerWrite(S3Call call, string etag, bool encrypted, ObjectChecksum? checksum, bool withType)
    {
        call.Response.Headers.ETag = etag;
        if (encrypted)
        {
            call.Response.Headers["x-amz-server-side-encryption"] = "AES256";
        }

        if (checksum is not null)
        {
            call.Response.Headers[checksum.Header] = checksum.WireValue;
            if (withType)
            {
                call.Response.Headers["x-amz-checksum-type"] = checksum.Type;
            }
        }
    }

    private static ObjectReadOptions ReadOptions(S3Call call)
    {
        int? partNumber = null;
        if (call.Query("partNumber") is { } part)
        {
            partNumber = int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                ? number
                : throw ObjectStoreErrors.InvalidArgument("Part number must be an integer between 1 and 10000, inclusive");
        }

        var range = ByteRange.Parse(call.Header("Range"));
        if (partNumber is not null && range is not null)
        {
            throw ObjectStoreErrors.InvalidRequest("Cannot specify both Range header and partNumber query parameter");
        }

        return new ObjectReadOptions
        {
            Range = range,
            PartNumber = partNumber,
            IfMatch = call.Header("If-Match"),
            IfNoneMatch = call.Header("If-None-Match"),
            IfModifiedSince = S3Call.HttpDate(call.Header("If-Modified-Since")),
            IfUnmodifiedSince = S3Call.HttpDate(call.Header("If-Unmodified-Since")),
        };
    }

    private static void WriteHeaders(S3Call call, ObjectContent content)
    {
        S3ObjectHeaders.Write(call.Request, call.Response, content.Info);

        // As S3: the checksum only to a client that asks, and only of exactly the bytes answered.
        if (content.Checksum is { } checksum && string.Equals(call.Header("x-amz-checksum-mode"), "ENABLED", StringComparison.OrdinalIgnoreCase))
        {
            call.Response.Headers[checksum.Header] = checksum.WireValue;
            call.Response.Headers["x-amz-checksum-type"] = checksum.Type;
        }

        call.Response.ContentLength = content.Length;
        if (content.IsRange)
        {
            call.Response.StatusCode = 206;
            call.Response.Headers.ContentRange = string.Create(
                CultureInfo.InvariantCulture, $"bytes {content.Offset}-{content.Offset + content.Length - 1}/{content.Info.Size}");
        }
    }

    private static bool Directive(S3Call call, string header) => call.Header(header) switch
    {
        null or "COPY" => false,
        "REPLACE" => true,
        var other => throw ObjectStoreErrors.InvalidArgument($"Unknown {header} value {other}"),
    };
}
