using System.Security.Cryptography;
using AmiVault.ObjectStore;

namespace AmiVault.Tests.ObjectStore;

/// <summary>
/// What every <see cref="IObjectStore"/> must do, in S3's terms. Each implementation runs the same tests: the
/// embedded store, and the external store against a real Ceph RGW.
/// </summary>
public abstract class ObjectStoreContractTests
{
    private const int MiB = 1024 * 1024;

    private protected abstract IObjectStore Store { get; }

    /// <summary>A fresh bucket name, unique on a shared server.</summary>
    protected static string NewBucketName() => "contract-" + Guid.NewGuid().ToString("N")[..20];

    private async Task<string> NewBucketAsync()
    {
        var bucket = NewBucketName();
        await Store.CreateBucketAsync(bucket);
        return bucket;
    }

    private static byte[] RandomBytes(int length) => RandomNumberGenerator.GetBytes(length);

    private static async Task<byte[]> ReadAllAsync(ObjectContent content)
    {
        await using (content)
        {
            using var copy = new MemoryStream();
            await content.Body.CopyToAsync(copy);
            return copy.ToArray();
        }
    }

    private static async Task<ObjectStoreException> FailsWith(string code, Func<Task> action)
    {
        var e = await Assert.ThrowsAsync<ObjectStoreException>(action);
        Assert.Equal(code, e.Code);
        return e;
    }

    [Fact]
    public async Task A_bucket_is_created_listed_headed_and_deleted()
    {
        var bucket = await NewBucketAsync();

        Assert.Contains(await Store.ListBucketsAsync(), b => b.Name == bucket);
        var info = await Store.HeadBucketAsync(bucket);
        Assert.Equal(bucket, info.Name);
        Assert.False(string.IsNullOrEmpty(info.Region));

        await Store.DeleteBucketAsync(bucket);
        await FailsWith("NoSuchBucket", () => Store.HeadBucketAsync(bucket));
        Assert.DoesNotContain(await Store.ListBucketsAsync(), b => b.Name == bucket);
    }

    [Fact]
    public async Task Creating_a_bucket_twice_fails_with_BucketAlreadyOwnedByYou()
    {
        var bucket = await NewBucketAsync();
        var e = await FailsWith("BucketAlreadyOwnedByYou", () => Store.CreateBucketAsync(bucket));
        Assert.Equal(409, e.Status);
    }

    [Fact]
    public async Task A_missing_bucket_is_NoSuchBucket_for_every_operation()
    {
        var bucket = NewBucketName();
        Assert.Equal(404, (await FailsWith("NoSuchBucket", () => Store.HeadBucketAsync(bucket))).Status);
        await FailsWith("NoSuchBucket", () => Store.ListObjectsAsync(bucket, new ListObjectsQuery()));
        await FailsWith("NoSuchBucket", () => Store.CreateMultipartUploadAsync(bucket, "k", ObjectWriteOptions.Default));

        // Last: Ceph RGW leaves the connection of a refused PUT unusable (it does not read the body).
        await FailsWith("NoSuchBucket", () => Store.PutObjectAsync(bucket, "k", new MemoryStream([1]), 1, ObjectWriteOptions.Default));
    }

    [Fact]
    public async Task A_bucket_with_an_object_cannot_be_deleted()
    {
        var bucket = await NewBucketAsync();
        await Store.PutObjectAsync(bucket, "k", new MemoryStream([1, 2, 3]), 3, ObjectWriteOptions.Default);

        await FailsWith("BucketNotEmpty", () => Store.DeleteBucketAsync(bucket));

        await Store.DeleteObjectAsync(bucket, "k");
        await Store.DeleteBucketAsync(bucket);
    }

    [Fact]
    public async Task An_object_reads_back_with_its_bytes_md5_etag_metadata_and_tags()
    {
        var bucket = await NewBucketAsync();
        var data = RandomBytes(300_000);
        var options = new ObjectWriteOptions
        {
            ContentType = "application/x-test",
            Metadata = new Dictionary<string, string> { ["ami-name"] = "my image", ["ami-owner-account"] = "111111111111" },
            Tags = new Dictionary<string, string> { ["team"] = "storage", ["tier"] = "cold" },
            ContentMd5 = MD5.HashData(data),
        };

        var put = await Store.PutObjectAsync(bucket, "dir/object.bin", new MemoryStream(data), data.Length, options);

        Assert.Equal("\"" + Convert.ToHexStringLower(MD5.HashData(data)) + "\"", put.ETag);
        var head = await Store.HeadObjectAsync(bucket, "dir/object.bin");
        Assert.Equal(data.Length, head.Size);
        Assert.Equal(put.ETag, head.ETag);
        Assert.Equal("application/x-test", head.ContentType);
        Assert.Equal("my image", head.Metadata["ami-name"]);
        Assert.Equal("111111111111", head.Metadata["ami-owner-account"]);
        Assert.Equal(data, await ReadAllAsync(await Store.GetObjectAsync(bucket, "dir/object.bin", ObjectReadOptions.Whole)));
        var tags = await Store.GetObjectTaggingAsync(bucket, "dir/object.bin");
        Assert.Equal("storage", tags["team"]);
        Assert.Equal("cold", tags["tier"]);
    }

    [Fact]
    public async Task An_empty_object_is_stored_and_read()
    {
        var bucket = await NewBucketAsync();
        var put = await Store.PutObjectAsync(bucket, "empty", new MemoryStream(), 0, ObjectWriteOptions.Default);
        Assert.Equal("\"d41d8cd98f00b204e9800998ecf8427e\"", put.ETag);
        Assert.Empty(await ReadAllAsync(await Store.GetObjectAsync(bucket, "empty", ObjectReadOptions.Whole)));
    }

    [Fact]
    public async Task A_wrong_Content_MD5_is_BadDigest_and_leaves_the_old_object()
    {
        var bucket = await NewBucketAsync();
        await Store.PutObjectAsync(bucket, "k", new MemoryStream([1, 2, 3]), 3, ObjectWriteOptions.Default);

        var wrong = new ObjectWriteOptions { ContentMd5 = MD5.HashData(new byte[] { 9 }) };
        await FailsWith("BadDigest", () => Store.PutObjectAsync(bucket, "k", new MemoryStream([4, 5, 6]), 3, wrong));

        Assert.Equal([1, 2, 3], await ReadAllAsync(await Store.GetObjectAsync(bucket, "k", ObjectReadOptions.Whole)));
    }

    [Fact]
    public async Task Ranged_gets_return_exactly_the_requested_bytes()
    {
        var bucket = await NewBucketAsync();
        var data = RandomBytes(200_000);
        await Store.PutObjectAsync(bucket, "k", new MemoryStream(data), data.Length, ObjectWriteOptions.Default);

        async Task<byte[]> Range(ByteRange range, long expectedOffset, long expectedLength)
        {
            var content = await Store.GetObjectAsync(bucket, "k", new ObjectReadOptions { Range = range });
            Assert.True(content.IsRange);
            Assert.Equal(expectedOffset, content.Offset);
            Assert.Equal(expectedLength, content.Length);
            Assert.Equal(data.Length, content.Info.Size);
            return await ReadAllAsync(content);
        }

        Assert.Equal(data[70_000..140_001], await Range(new ByteRange(70_000, 140_000), 70_000, 70_001));
        Assert.Equal(data[^100..], await Range(new ByteRange(null, 100), data.Length - 100, 100));
        Assert.Equal(data[199_990..], await Range(new ByteRange(199_990, null), 199_990, 10));
        Assert.Equal(data[199_000..], await Range(new ByteRange(199_000, 10_000_000), 199_000, 1000));
        var e = await FailsWith("InvalidRange", () => Store.GetObjectAsync(bucket, "k", new ObjectReadOptions { Range = new ByteRange(200_000, null) }));
        Assert.Equal(416, e.Status);
    }

    [Fact]
    public async Task A_get_with_a_stale_If_Match_fails_and_a_current_one_succeeds()
    {
        var bucket = await NewBucketAsync();
        var first = await Store.PutObjectAsync(bucket, "k", new MemoryStream([1]), 1, ObjectWriteOptions.Default);
        var second = await Store.PutObjectAsync(bucket, "k", new MemoryStream([2]), 1, ObjectWriteOptions.Default);

        var e = await FailsWith("PreconditionFailed", () => Store.GetObjectAsync(bucket, "k", new ObjectReadOptions { IfMatch = first.ETag }));
        Assert.Equal(412, e.Status);
        Assert.Equal([2], await ReadAllAsync(await Store.GetObjectAsync(bucket, "k", new ObjectReadOptions { IfMatch = second.ETag })));
    }

    [Fact]
    public async Task A_missing_key_is_NoSuchKey_and_deleting_it_succeeds()
    {
        var bucket = await NewBucketAsync();
        Assert.Equal(404, (await FailsWith("NoSuchKey", () => Store.GetObjectAsync(bucket, "nope", ObjectReadOptions.Whole))).Status);
        await Assert.ThrowsAsync<ObjectStoreException>(() => Store.HeadObjectAsync(bucket, "nope"));
        await Store.DeleteObjectAsync(bucket, "nope");
    }

    [Fact]
    public async Task Deleted_objects_are_gone()
    {
        var bucket = await NewBucketAsync();
        await Store.PutObjectAsync(bucket, "k", new MemoryStream([1]), 1, ObjectWriteOptions.Default);
        await Store.DeleteObjectAsync(bucket, "k");
        await FailsWith("NoSuchKey", () => Store.GetObjectAsync(bucket, "k", ObjectReadOptions.Whole));
        Assert.Empty((await Store.ListObjectsAsync(bucket, new ListObjectsQuery())).Objects);
    }

    [Fact]
    public async Task Listing_pages_through_keys_with_prefix_and_delimiter()
    {
        var bucket = await NewBucketAsync();
        string[] keys = ["a/1", "a/2", "b/1", "b/x/1", "c", "d", "e/1"];
        var longKey = "f/" + new string('x', 300);
        foreach (var key in keys)
        {
            await Store.PutObjectAsync(bucket, key, new MemoryStream([7]), 1, ObjectWriteOptions.Default);
        }

        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await Store.ListObjectsAsync(bucket, new ListObjectsQuery { MaxKeys = 2, ContinuationToken = token });
            seen.AddRange(page.Objects.Select(o => o.Key));
            Assert.All(page.Objects, o => Assert.Equal(1, o.Size));
            token = page.IsTruncated ? page.NextContinuationToken : null;
            pages++;
        }
        while (token is not null);
        Assert.Equal(keys, seen);
        Assert.Equal(4, pages);

        var entries = new List<string>();
        token = null;
        do
        {
            var page = await Store.ListObjectsAsync(bucket, new ListObjectsQuery { Delimiter = "/", MaxKeys = 2, ContinuationToken = token });
            entries.AddRange(page.CommonPrefixes.Select(p => "P:" + p));
            entries.AddRange(page.Objects.Select(o => "K:" + o.Key));
            token = page.IsTruncated ? page.NextContinuationToken : null;
        }
        while (token is not null);
        Assert.Equal(["P:a/", "P:b/", "K:c", "K:d", "P:e/"], entries.OrderBy(e => e[2..], StringComparer.Ordinal));

        var underB = await Store.ListObjectsAsync(bucket, new ListObjectsQuery { Prefix = "b/", Delimiter = "/" });
        Assert.Equal(["b/1"], underB.Objects.Select(o => o.Key));
        Assert.Equal(["b/x/"], underB.CommonPrefixes);

        var afterC = await Store.ListObjectsAsync(bucket, new ListObjectsQuery { StartAfter = "c" });
        Assert.Equal(["d", "e/1"], afterC.Objects.Select(o => o.Key));

        await Store.PutObjectAsync(bucket, longKey, new MemoryStream([7]), 1, ObjectWriteOptions.Default);
        var underF = await Store.ListObjectsAsync(bucket, new ListObjectsQuery { Prefix = "f/" });
        Assert.Equal(longKey, Assert.Single(underF.Objects).Key);
    }

    [Fact]
    public async Task Tags_are_replaced_and_deleted()
    {
        var bucket = await NewBucketAsync();
        await Store.PutObjectAsync(bucket, "k", new MemoryStream([1]), 1, ObjectWriteOptions.Default);

        await Store.PutObjectTaggingAsync(bucket, "k", new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" });
        Assert.Equal(2, (await Store.GetObjectTaggingAsync(bucket, "k")).Count);
        await Store.PutObjectTaggingAsync(bucket, "k", new Dictionary<string, string> { ["c"] = "3" });
        Assert.Equal("3", Assert.Single(await Store.GetObjectTaggingAsync(bucket, "k")).Value);
        await Store.DeleteObjectTaggingAsync(bucket, "k");
        Assert.Empty(await Store.GetObjectTaggingAsync(bucket, "k"));
        await FailsWith("NoSuchKey", () => Store.PutObjectTaggingAsync(bucket, "nope", new Dictionary<string, string> { ["a"] = "1" }));
    }

    [Fact]
    public async Task A_multipart_upload_completes_into_one_object_with_an_md5_of_md5s_etag()
    {
        var bucket = await NewBucketAsync();
        var part1 = RandomBytes(5 * MiB);
        var part2 = RandomBytes(123_457);
        var options = new ObjectWriteOptions
        {
            Metadata = new Dictionary<string, string> { ["ami-name"] = "multi" },
            Tags = new Dictionary<string, string> { ["k"] = "v" },
        };
        var uploadId = await Store.CreateMultipartUploadAsync(bucket, "ami-1.bin", options);

        var p2 = await Store.UploadPartAsync(bucket, "ami-1.bin", uploadId, 2, new MemoryStream(part2), part2.Length, MD5.HashData(part2));
        var p1 = await Store.UploadPartAsync(bucket, "ami-1.bin", uploadId, 1, new MemoryStream(part1), part1.Length);
        var listed = await Store.ListPartsAsync(bucket, "ami-1.bin", uploadId);
        Assert.Equal([1, 2], listed.Parts.Select(p => p.PartNumber));
        Assert.Equal([part1.Length, (long)part2.Length], listed.Parts.Select(p => p.Size));
        Assert.Contains((await Store.ListMultipartUploadsAsync(bucket, new ListUploadsQuery())).Uploads, u => u.UploadId == uploadId && u.Key == "ami-1.bin");

        var done = await Store.CompleteMultipartUploadAsync(bucket, "ami-1.bin", uploadId, [new(1, p1.ETag), new(2, p2.ETag)]);

        var expectedETag = "\"" + Convert.ToHexStringLower(MD5.HashData([.. MD5.HashData(part1), .. MD5.HashData(part2)])) + "-2\"";
        Assert.Equal(expectedETag, done.ETag);
        var head = await Store.HeadObjectAsync(bucket, "ami-1.bin");
        Assert.Equal(part1.Length + part2.Length, head.Size);
        Assert.Equal(expectedETag, head.ETag);
        Assert.Equal("multi", head.Metadata["ami-name"]);
        Assert.Equal("v", (await Store.GetObjectTaggingAsync(bucket, "ami-1.bin"))["k"]);
        byte[] whole = [.. part1, .. part2];
        Assert.Equal(whole, await ReadAllAsync(await Store.GetObjectAsync(bucket, "ami-1.bin", ObjectReadOptions.Whole)));
        var across = await Store.GetObjectAsync(bucket, "ami-1.bin", new ObjectReadOptions { Range = ByteRange.FromOffset(part1.Length - 10, 20), IfMatch = expectedETag });
        Assert.Equal(whole[(part1.Length - 10)..(part1.Length + 10)], await ReadAllAsync(across));
        Assert.DoesNotContain((await Store.ListMultipartUploadsAsync(bucket, new ListUploadsQuery())).Uploads, u => u.UploadId == uploadId);
    }

    [Fact]
    public async Task A_part_uploaded_again_replaces_the_earlier_one()
    {
        var bucket = await NewBucketAsync();
        var uploadId = await Store.CreateMultipartUploadAsync(bucket, "k", ObjectWriteOptions.Default);
        await Store.UploadPartAsync(bucket, "k", uploadId, 1, new MemoryStream([1, 1]), 2);
        var second = await Store.UploadPartAsync(bucket, "k", uploadId, 1, new MemoryStream([2, 2, 2]), 3);

        var part = Assert.Single((await Store.ListPartsAsync(bucket, "k", uploadId)).Parts);
        Assert.Equal(3, part.Size);
        await Store.CompleteMultipartUploadAsync(bucket, "k", uploadId, [new(1, second.ETag)]);
        Assert.Equal([2, 2, 2], await ReadAllAsync(await Store.GetObjectAsync(bucket, "k", ObjectReadOptions.Whole)));
    }

    [Fact]
    public async Task Completing_with_small_parts_misordered_parts_or_unknown_parts_fails_and_stores_nothing()
    {
        var bucket = await NewBucketAsync();
        var uploadId = await Store.CreateMultipartUploadAsync(bucket, "k", ObjectWriteOptions.Default);
        var big = new byte[5 * MiB];
        var p1 = await Store.UploadPartAsync(bucket, "k", uploadId, 1, new MemoryStream(big), big.Length);
        var p2 = await Store.UploadPartAsync(bucket, "k", uploadId, 2, new MemoryStream(big), big.Length);
        var p3 = await Store.UploadPartAsync(bucket, "k", uploadId, 3, new MemoryStream(new byte[1000]), 1000);
        var p4 = await Store.UploadPartAsync(bucket, "k", uploadId, 4, new MemoryStream(new byte[1000]), 1000);

        await FailsWith("EntityTooSmall", () => Store.CompleteMultipartUploadAsync(bucket, "k", uploadId, [new(1, p1.ETag), new(2, p2.ETag), new(3, p3.ETag), new(4, p4.ETag)]));
        await FailsWith("InvalidPartOrder", () => Store.CompleteMultipartUploadAsync(bucket, "k", uploadId, [new(2, p2.ETag), new(1, p1.ETag)]));
        await FailsWith("InvalidPart", () => Store.CompleteMultipartUploadAsync(bucket, "k", uploadId, [new(1, p1.ETag), new(5, p2.ETag)]));
        await FailsWith("InvalidPart", () => Store.CompleteMultipartUploadAsync(bucket, "k", uploadId, [new(1, "\"0123456789abcdef0123456789abcdef\"")]));

        await FailsWith("NoSuchKey", () => Store.HeadObjectAsync(bucket, "k"));
        Assert.Equal(4, (await Store.ListPartsAsync(bucket, "k", uploadId)).Parts.Count);
    }

    [Fact]
    public async Task An_aborted_upload_is_gone_and_its_id_is_NoSuchUpload()
    {
        var bucket = await NewBucketAsync();
        var uploadId = await Store.CreateMultipartUploadAsync(bucket, "k", ObjectWriteOptions.Default);
        await Store.UploadPartAsync(bucket, "k", uploadId, 1, new MemoryStream([1]), 1);

        await Store.AbortMultipartUploadAsync(bucket, "k", uploadId);

        Assert.DoesNotContain((await Store.ListMultipartUploadsAsync(bucket, new ListUploadsQuery())).Uploads, u => u.UploadId == uploadId);
        await FailsWith("NoSuchUpload", () => Store.ListPartsAsync(bucket, "k", uploadId));
        await FailsWith("NoSuchKey", () => Store.HeadObjectAsync(bucket, "k"));

        // Last: Ceph RGW leaves the connection of a refused PUT unusable (it does not read the body).
        var e = await FailsWith("NoSuchUpload", () => Store.UploadPartAsync(bucket, "k", uploadId, 2, new MemoryStream([1]), 1));
        Assert.Equal(404, e.Status);
    }

    [Fact]
    public async Task Uploads_are_listed_by_key_with_markers()
    {
        var bucket = await NewBucketAsync();
        var a = await Store.CreateMultipartUploadAsync(bucket, "img/a.bin", ObjectWriteOptions.Default);
        var b = await Store.CreateMultipartUploadAsync(bucket, "img/b.bin", ObjectWriteOptions.Default);
        await Store.CreateMultipartUploadAsync(bucket, "other", ObjectWriteOptions.Default);

        var first = await Store.ListMultipartUploadsAsync(bucket, new ListUploadsQuery { Prefix = "img/", MaxUploads = 1 });
        Assert.True(first.IsTruncated);
        Assert.Equal(a, Assert.Single(first.Uploads).UploadId);
        var second = await Store.ListMultipartUploadsAsync(bucket, new ListUploadsQuery
        {
            Prefix = "img/",
            KeyMarker = first.NextKeyMarker,
            UploadIdMarker = first.NextUploadIdMarker,
        });
        Assert.Equal(b, Assert.Single(second.Uploads).UploadId);
        Assert.False(second.IsTruncated);
    }
}
