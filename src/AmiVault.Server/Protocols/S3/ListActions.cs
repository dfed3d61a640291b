using AmiVault.Auth;
using AmiVault.ObjectStore;
using AmiVault.Signing;

namespace AmiVault.Protocols.S3;

/// <summary>ListObjectsV2, ListObjects (v1) and ListMultipartUploads, with encoding-type=url as the AWS CLI asks.</summary>
internal static class ListActions
{
    private const int MaxKeys = 1000;

    public static async Task ListObjectsV2Async(S3Call call)
    {
        var encode = Encoder(call);
        var query = new ListObjectsQuery
        {
            Prefix = call.Query("prefix") ?? "",
            Delimiter = NullIfEmpty(call.Query("delimiter")),
            StartAfter = NullIfEmpty(call.Query("start-after")),
            ContinuationToken = NullIfEmpty(call.Query("continuation-token")),
            MaxKeys = call.QueryInt("max-keys", MaxKeys, MaxKeys),
        };
        var listing = await call.Store.ListObjectsAsync(call.Bucket, query, call.Aborted);

        using var xml = new S3Xml("ListBucketResult");
        xml.Value("Name", call.Bucket).Value("Prefix", encode(query.Prefix)).Value("Delimiter", encode(query.Delimiter))
            .Value("MaxKeys", query.MaxKeys).Value("KeyCount", listing.Objects.Count + listing.CommonPrefixes.Count)
            .Value("IsTruncated", listing.IsTruncated).Value("ContinuationToken", call.Query("continuation-token"))
            .Value("NextContinuationToken", listing.NextContinuationToken).Value("StartAfter", encode(query.StartAfter))
            .Value("EncodingType", call.Query("encoding-type"));
        WriteEntries(xml, listing, encode, call.Query("fetch-owner") == "true" ? call.AccountId : null);
        await call.RespondXmlAsync(xml);
    }

    public static async Task ListObjectsAsync(S3Call call)
    {
        var encode = Encoder(call);
        var marker = NullIfEmpty(call.Query("marker"));
        var query = new ListObjectsQuery
        {
            Prefix = call.Query("prefix") ?? "",
            Delimiter = NullIfEmpty(call.Query("delimiter")),
            StartAfter = marker,
            MaxKeys = call.QueryInt("max-keys", MaxKeys, MaxKeys),
        };
        var listing = await call.Store.ListObjectsAsync(call.Bucket, query, call.Aborted);
        var last = listing.Objects.Select(o => o.Key).Concat(listing.CommonPrefixes).Max(StringComparer.Ordinal);

        using var xml = new S3Xml("ListBucketResult");
        xml.Value("Name", call.Bucket).Value("Prefix", encode(query.Prefix)).Value("Marker", encode(marker ?? ""))
            .Value("NextMarker", listing.IsTruncated ? encode(last) : null).Value("MaxKeys", query.MaxKeys)
            .Value("Delimiter", encode(query.Delimiter)).Value("IsTruncated", listing.IsTruncated)
            .Value("EncodingType", call.Query("encoding-type"));
        WriteEntries(xml, listing, encode, call.AccountId);
        await call.RespondXmlAsync(xml);
    }

    public static async Task ListMultipartUploadsAsync(S3Call call)
    {
        var encode = Encoder(call);
        var query = new ListUploadsQuery
        {
            Prefix = call.Query("prefix") ?? "",
            KeyMarker = NullIfEmpty(call.Query("key-marker")),
            UploadIdMarker = NullIfEmpty(call.Query("upload-id-marker")),
            MaxUploads = call.QueryInt("max-uploads", MaxKeys, MaxKeys),
        };
        var listing = await call.Store.ListMultipartUploadsAsync(call.Bucket, query, call.Aborted);

        using var xml = new S3Xml("ListMultipartUploadsResult");
        xml.Value("Bucket", call.Bucket).Value("KeyMarker", encode(query.KeyMarker ?? "")).Value("UploadIdMarker", query.UploadIdMarker ?? "")
            .Value("NextKeyMarker", encode(listing.NextKeyMarker)).Value("NextUploadIdMarker", listing.NextUploadIdMarker)
            .Value("Prefix", encode(query.Prefix)).Value("MaxUploads", query.MaxUploads).Value("IsTruncated", listing.IsTruncated)
            .Value("EncodingType", call.Query("encoding-type"));
        foreach (var upload in listing.Uploads)
        {
            xml.Start("Upload").Value("Key", encode(upload.Key)).Value("UploadId", upload.UploadId)
                .Principal("Initiator", call.AccountId).Principal("Owner", call.AccountId)
                .Value("StorageClass", "STANDARD").Value("Initiated", upload.Initiated).End();
        }

        await call.RespondXmlAsync(xml);
    }

    private static void WriteEntries(S3Xml xml, ObjectListing listing, Func<string?, string?> encode, string? owner)
    {
        foreach (var entry in listing.Objects)
        {
            xml.Start("Contents").Value("Key", encode(entry.Key)).Value("LastModified", entry.LastModified)
                .Value("ETag", entry.ETag).Value("Size", entry.Size).Value("StorageClass", "STANDARD");
            if (owner is not null)
            {
                xml.Principal("Owner", owner);
            }

            xml.End();
        }

        foreach (var prefix in listing.CommonPrefixes)
        {
            xml.Start("CommonPrefixes").Value("Prefix", encode(prefix)).End();
        }
    }

    /// <summary>With encoding-type=url, names are percent-encoded (keys may hold characters XML cannot carry).</summary>
    private static Func<string?, string?> Encoder(S3Call call) => call.Query("encoding-type") switch
    {
        null => value => value,
        "url" => value => value is null ? null : AwsUriEncoding.Encode(value, keepSlash: true),
        var other => throw ObjectStoreErrors.InvalidArgument($"Invalid Encoding Method specified in Request: {other}"),
    };

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
