using System.Globalization;
using AmiVault.ObjectStore;

namespace AmiVault.Protocols.S3;

/// <summary>Multipart uploads: create, upload part, complete, abort, list parts.</summary>
internal static class MultipartActions
{
    /// <summary>10,000 parts of about 100 bytes of XML each.</summary>
    private const int MaxCompleteXml = 2 * 1024 * 1024;
    private const int MaxParts = 1000;

    public static async Task CreateAsync(S3Call call)
    {
        var (algorithm, composite) = ChecksumOfUpload(call);
        var options = S3ObjectHeaders.WriteOptions(call, contentMd5: null) with { ChecksumAlgorithm = algorithm, ChecksumComposite = composite };
        var uploadId = await call.Store.CreateMultipartUploadAsync(call.Bucket, call.Key, options, call.Aborted);
        if (options.Encrypt ?? await call.Store.GetBucketEncryptionAsync(call.Bucket, call.Aborted))
        {
            call.Response.Headers["x-amz-server-side-encryption"] = "AES256";
        }

        if (algorithm is not null)
        {
            call.Response.Headers["x-amz-checksum-algorithm"] = algorithm;
            call.Response.Headers["x-amz-checksum-type"] = composite ? ObjectChecksum.CompositeType : ObjectChecksum.FullObjectType;
        }

        using var xml = new S3Xml("InitiateMultipartUploadResult");
        xml.Value("Bucket", call.Bucket).Value("Key", call.Key).Value("UploadId", uploadId);
        await call.RespondXmlAsync(xml);
    }

    /// <summary>
    /// x-amz-checksum-algorithm and x-amz-checksum-type of CreateMultipartUpload, as S3 takes them: the type defaults
    /// to FULL_OBJECT for CRC64NVME and COMPOSITE for the others; SHA1/SHA256 have no FULL_OBJECT, CRC64NVME no COMPOSITE.
    /// </summary>
    private static (string? Algorithm, bool Composite) ChecksumOfUpload(S3Call call)
    {
        var type = call.Header("x-amz-checksum-type")?.ToUpperInvariant();
        if (call.Header("x-amz-checksum-algorithm") is not { } named)
        {
            return type is null
                ? (null, false)
                : throw ObjectStoreErrors.InvalidRequest("The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.");
        }

        var algorithm = FlexibleChecksum.Normalize(named) ?? throw S3Body.UnsupportedAlgorithm();
        var composite = type switch
        {
            null => FlexibleChecksum.SupportsComposite(algorithm),
            ObjectChecksum.CompositeType => true,
            ObjectChecksum.FullObjectType => false,
            _ => throw ObjectStoreErrors.InvalidRequest("Value for x-amz-checksum-type header is invalid."),
        };
        if (composite ? !FlexibleChecksum.SupportsComposite(algorithm) : !FlexibleChecksum.SupportsFullObject(algorithm))
        {
            throw ObjectStoreErrors.InvalidRequest(
                $"The {(composite ? ObjectChecksum.CompositeType : ObjectChecksum.FullObjectType)} checksum type cannot be used with the {algorithm.ToLowerInvariant()} checksum algorithm.");
        }

        return (algorithm, composite);
    }

    public static async Task UploadPartAsync(S3Call call)
    {
        var partNumber = PartNumber(call.Query("partNumber"));
        var body = call.OpenBody();
        var length = body.Length ?? throw new ObjectStoreException("MissingContentLength", "You must provide the Content-Length HTTP header.", 411);
        var part = await call.Store.UploadPartAsync(call.Bucket, call.Key, call.Query("uploadId")!, partNumber, body.Stream, length, body.ContentMd5, body.Checksum, call.Aborted);
        var checksum = part.Checksum is { } kept && body.Checksum is { } sent ? new ObjectChecksum(sent.Algorithm, kept) : body.VerifiedChecksum;
        ObjectActions.AnswerWrite(call, part.ETag, encrypted: false, checksum, withType: false);
        call.RespondEmpty();
    }

    /// <summary>
    /// UploadPartCopy: a part read from an existing object, whole or the x-amz-copy-source-range of it (at most 5 GiB),
    /// streamed through the same part write as UploadPart.
    /// </summary>
    public static async Task UploadPartCopyAsync(S3Call call)
    {
        var partNumber = PartNumber(call.Query("partNumber"));
        var copySource = CopySource.From(call);
        var range = CopySource.ParseRange(call.Header("x-amz-copy-source-range"));
        await using var source = await copySource.OpenAsync(call, range);
        if (range?.Last is { } last && last >= source.Info.Size)
        {
            throw ObjectStoreErrors.InvalidRange(source.Info.Size);
        }

        CopySource.CheckLength(source.Length);

        // A copied part gets the upload's checksum computed here, as S3 does: the client sent no bytes to check.
        var uploadId = call.Query("uploadId")!;
        var algorithm = (await call.Store.ListPartsAsync(call.Bucket, call.Key, uploadId, maxParts: 0, cancellationToken: call.Aborted)).ChecksumAlgorithm;
        using var checksum = algorithm is null ? null : new ChecksummingStream(source.Body, FlexibleChecksum.Create(algorithm), expected: null);
        var part = await call.Store.UploadPartAsync(call.Bucket, call.Key, uploadId, partNumber, checksum ?? source.Body, source.Length, checksum: checksum, cancellationToken: call.Aborted);
        using var xml = new S3Xml("CopyPartResult");
        xml.Value("LastModified", part.LastModified).Value("ETag", part.ETag)
            .Checksum(algorithm is not null && part.Checksum is { } value ? new ObjectChecksum(algorithm, value) : null, withType: false);
        await call.RespondXmlAsync(xml);
    }

    public static async Task CompleteAsync(S3Call call)
    {
        await call.Store.HeadBucketAsync(call.Bucket, call.Aborted);
        var request = await call.ReadXmlAsync(MaxCompleteXml, checksumHeadersNameTheObject: true);
        var parts = request.Children("Part")
            .Select(p => new CompletedPart(PartNumber(p.ChildValue("PartNumber")), p.ChildValue("ETag") ?? throw S3Call.MalformedXml(), PartChecksum(p)))
            .ToList();
        if (parts.Count > ObjectStoreLimits.MaxPartNumber)
        {
            throw S3Call.MalformedXml();
        }

        var condition = WriteCondition.From(call.Header("If-Match"), call.Header("If-None-Match"));
        var expected = FlexibleChecksum.Headers.FirstOrDefault(h => call.Header(h) is not null) is { } header
            ? new ObjectChecksum(FlexibleChecksum.AlgorithmOfHeader(header)!, call.Header(header)!)
            : null;
        var info = await call.Store.CompleteMultipartUploadAsync(call.Bucket, call.Key, call.Query("uploadId")!, parts, condition, expected, call.Aborted);
        if (info.Encrypted)
        {
            call.Response.Headers["x-amz-server-side-encryption"] = "AES256";
        }

        S3ObjectHeaders.Expiration(call.Response, info.Expiration);
        using var xml = new S3Xml("CompleteMultipartUploadResult");
        xml.Value("Location", $"{call.Request.Scheme}://{call.Request.Host}/{call.Bucket}/{Uri.EscapeDataString(call.Key)}")
            .Value("Bucket", call.Bucket).Value("Key", call.Key).Value("ETag", info.ETag).Checksum(info.Checksum, withType: true);
        await call.RespondXmlAsync(xml);
    }

    public static async Task AbortAsync(S3Call call)
    {
        await call.Store.AbortMultipartUploadAsync(call.Bucket, call.Key, call.Query("uploadId")!, call.Aborted);
        call.RespondEmpty(204);
    }

    public static async Task ListPartsAsync(S3Call call)
    {
        var marker = call.QueryInt("part-number-marker", 0, ObjectStoreLimits.MaxPartNumber);
        var maxParts = call.QueryInt("max-parts", MaxParts, MaxParts);
        var uploadId = call.Query("uploadId")!;
        var listing = await call.Store.ListPartsAsync(call.Bucket, call.Key, uploadId, marker, maxParts, call.Aborted);

        using var xml = new S3Xml("ListPartsResult");
        xml.Value("Bucket", call.Bucket).Value("Key", call.Key).Value("UploadId", uploadId)
            .Principal("Initiator", call.AccountId).Principal("Owner", call.AccountId).Value("StorageClass", "STANDARD")
            .Value("PartNumberMarker", marker).Value("NextPartNumberMarker", listing.NextPartNumberMarker)
            .Value("MaxParts", maxParts).Value("IsTruncated", listing.IsTruncated);
        foreach (var part in listing.Parts)
        {
            xml.Start("Part").Value("PartNumber", part.PartNumber).Value("LastModified", part.LastModified)
                .Value("ETag", part.ETag).Value("Size", part.Size);
            if (listing.ChecksumAlgorithm is { } algorithm && part.Checksum is { } checksum)
            {
                xml.Value("Checksum" + algorithm, checksum);
            }

            xml.End();
        }

        if (listing.ChecksumAlgorithm is { } uploadAlgorithm)
        {
            xml.Value("ChecksumAlgorithm", uploadAlgorithm).Value("ChecksumType", listing.ChecksumComposite ? ObjectChecksum.CompositeType : ObjectChecksum.FullObjectType);
        }

        await call.RespondXmlAsync(xml);
    }

    /// <summary>A part's ChecksumCRC32 (…ChecksumSHA256) element in CompleteMultipartUpload, if it has one.</summary>
    private static ObjectChecksum? PartChecksum(System.Xml.Linq.XElement part) =>
        FlexibleChecksum.Algorithms.Select(a => part.ChildValue("Checksum" + a) is { } value ? new ObjectChecksum(a, value.Trim()) : null)
            .FirstOrDefault(c => c is not null);

    private static int PartNumber(string? text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is >= 1 and <= ObjectStoreLimits.MaxPartNumber
            ? number
            : throw ObjectStoreErrors.InvalidArgument("Part number must be an integer between 1 and 10000, inclusive");
}
