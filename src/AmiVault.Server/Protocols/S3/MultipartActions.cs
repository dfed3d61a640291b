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
        var options = S3ObjectHeaders.WriteOptions(call, contentMd5: null);
        var uploadId = await call.Store.CreateMultipartUploadAsync(call.Bucket, call.Key, options, call.Aborted);
        if (options.Encrypt ?? await call.Store.GetBucketEncryptionAsync(call.Bucket, call.Aborted))
        {
            call.Response.Headers["x-amz-server-side-encryption"] = "AES256";
        }

        using var xml = new S3Xml("InitiateMultipartUploadResult");
        xml.Value("Bucket", call.Bucket).Value("Key", call.Key).Value("UploadId", uploadId);
        await call.RespondXmlAsync(xml);
    }

    public static async Task UploadPartAsync(S3Call call)
    {
        var partNumber = PartNumber(call.Query("partNumber"));
        var body = call.OpenBody();
        var length = body.Length ?? throw new ObjectStoreException("MissingContentLength", "You must provide the Content-Length HTTP header.", 411);
        var part = await call.Store.UploadPartAsync(call.Bucket, call.Key, call.Query("uploadId")!, partNumber, body.Stream, length, body.ContentMd5, call.Aborted);
        ObjectActions.AnswerWrite(call, part.ETag, encrypted: false, body);
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
        var part = await call.Store.UploadPartAsync(call.Bucket, call.Key, call.Query("uploadId")!, partNumber, source.Body, source.Length, cancellationToken: call.Aborted);
        using var xml = new S3Xml("CopyPartResult");
        xml.Value("LastModified", part.LastModified).Value("ETag", part.ETag);
        await call.RespondXmlAsync(xml);
    }

    public static async Task CompleteAsync(S3Call call)
    {
        await call.Store.HeadBucketAsync(call.Bucket, call.Aborted);
        var request = await call.ReadXmlAsync(MaxCompleteXml);
        var parts = request.Children("Part")
            .Select(p => new CompletedPart(PartNumber(p.ChildValue("PartNumber")), p.ChildValue("ETag") ?? throw S3Call.MalformedXml()))
            .ToList();
        if (parts.Count > ObjectStoreLimits.MaxPartNumber)
        {
            throw S3Call.MalformedXml();
        }

        var condition = WriteCondition.From(call.Header("If-Match"), call.Header("If-None-Match"));
        var info = await call.Store.CompleteMultipartUploadAsync(call.Bucket, call.Key, call.Query("uploadId")!, parts, condition, call.Aborted);
        if (info.Encrypted)
        {
            call.Response.Headers["x-amz-server-side-encryption"] = "AES256";
        }

        using var xml = new S3Xml("CompleteMultipartUploadResult");
        xml.Value("Location", $"{call.Request.Scheme}://{call.Request.Host}/{call.Bucket}/{Uri.EscapeDataString(call.Key)}")
            .Value("Bucket", call.Bucket).Value("Key", call.Key).Value("ETag", info.ETag);
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
                .Value("ETag", part.ETag).Value("Size", part.Size).End();
        }

        await call.RespondXmlAsync(xml);
    }

    private static int PartNumber(string? text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is >= 1 and <= ObjectStoreLimits.MaxPartNumber
            ? number
            : throw ObjectStoreErrors.InvalidArgument("Part number must be an integer between 1 and 10000, inclusive");
}
