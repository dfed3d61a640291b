using System.Net;
using System.Security.Cryptography;
using System.Text;
using AmiVault.Tests.Support;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.S3.Transfer;

namespace AmiVault.Tests.S3;

/// <summary>The embedded S3 endpoint driven by AWSSDK.S3 4.1 with its default settings (aws-chunked bodies with CRC32 trailers).</summary>
public sealed class S3SdkTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static async Task<byte[]> ReadAllAsync(GetObjectResponse response)
    {
        using (response)
        {
            using var copy = new MemoryStream();
            await response.ResponseStream.CopyToAsync(copy);
            return copy.ToArray();
        }
    }

    private static async Task<AmazonS3Exception> FailsWith(string code, HttpStatusCode status, Func<Task> action)
    {
        var e = await Assert.ThrowsAnyAsync<AmazonS3Exception>(action);
        Assert.Equal(code, e.ErrorCode);
        Assert.Equal(status, e.StatusCode);
        return e;
    }

    [Fact]
    public async Task A_default_SDK_put_stores_exactly_the_bytes_not_the_chunk_framing()
    {
        using var s3 = _server.S3();
        await s3.PutBucketAsync("sdk-bucket");
        var data = RandomNumberGenerator.GetBytes(300_000);

        var put = await s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = "sdk-bucket",
            Key = "dir/file name+plus.bin",
            InputStream = new MemoryStream(data),
            ContentType = "application/x-test",
            Metadata = { ["ami-name"] = "image one" },
            TagSet = [new Tag { Key = "team", Value = "storage" }],
        });

        Assert.Equal("\"" + Convert.ToHexStringLower(MD5.HashData(data)) + "\"", put.ETag);
        var head = await s3.GetObjectMetadataAsync("sdk-bucket", "dir/file name+plus.bin");
        Assert.Equal(data.Length, head.ContentLength);
        Assert.Equal("application/x-test", head.Headers.ContentType);
        Assert.Equal("image one", head.Metadata["ami-name"]);
        Assert.Equal(data, await ReadAllAsync(await s3.GetObjectAsync("sdk-bucket", "dir/file name+plus.bin")));
        var tags = await s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = "sdk-bucket", Key = "dir/file name+plus.bin" });
        Assert.Equal("storage", Assert.Single(tags.Tagging).Value);
    }

    [Fact]
    public async Task TransferUtility_uploads_parallel_parts_and_downloads_them_byte_exact()
    {
        using var s3 = _server.S3();
        await s3.PutBucketAsync("transfer");
        var data = RandomNumberGenerator.GetBytes(23 * 1024 * 1024);
        var source = Path.Combine(_server.DataDir, "upload.bin");
        var target = Path.Combine(_server.DataDir, "download.bin");
        await File.WriteAllBytesAsync(source, data);
        using var transfer = new TransferUtility(s3, new TransferUtilityConfig { ConcurrentServiceRequests = 4 });

        await transfer.UploadAsync(new TransferUtilityUploadRequest
        {
            BucketName = "transfer",
            Key = "big.bin",
            FilePath = source,
            PartSize = 5 * 1024 * 1024,
        });
        await transfer.DownloadAsync(new TransferUtilityDownloadRequest { BucketName = "transfer", Key = "big.bin", FilePath = target });

        var head = await s3.GetObjectMetadataAsync("transfer", "big.bin");
        Assert.EndsWith("-5\"", head.ETag, StringComparison.Ordinal);
        Assert.Equal(data, await File.ReadAllBytesAsync(target));
        var part2 = await s3.GetObjectAsync(new GetObjectRequest { BucketName = "transfer", Key = "big.bin", PartNumber = 2 });
        Assert.Equal(5, part2.PartsCount);
        Assert.Equal(data[(5 * 1024 * 1024)..(10 * 1024 * 1024)], await ReadAllAsync(part2));
    }

    [Fact]
    public async Task Ranged_and_conditional_gets_answer_as_S3_does()
    {
        using var s3 = _server.S3();
        await s3.PutBucketAsync("ranges");
        var data = RandomNumberGenerator.GetBytes(10_000);
        var etag = (await s3.PutObjectAsync(new PutObjectRequest { BucketName = "ranges", Key = "k", InputStream = new MemoryStream(data) })).ETag;

        var ranged = await s3.GetObjectAsync(new GetObjectRequest { BucketName = "ranges", Key = "k", ByteRange = new ByteRange(100, 199), EtagToMatch = etag });
        Assert.Equal(HttpStatusCode.PartialContent, ranged.HttpStatusCode);
        Assert.Equal("bytes 100-199/10000", ranged.ContentRange);
        Assert.Equal(data[100..200], await ReadAllAsync(ranged));
        Assert.Equal(data[^10..], await ReadAllAsync(await s3.GetObjectAsync(new GetObjectRequest { BucketName = "ranges", Key = "k", ByteRange = new ByteRange("bytes=-10") })));

        await FailsWith("InvalidRange", HttpStatusCode.RequestedRangeNotSatisfiable, () => s3.GetObjectAsync(new GetObjectRequest { BucketName = "ranges", Key = "k", ByteRange = new ByteRange(10_000, 10_010) }));
        await FailsWith("PreconditionFailed", HttpStatusCode.PreconditionFailed, () => s3.GetObjectAsync(new GetObjectRequest { BucketName = "ranges", Key = "k", EtagToMatch = "\"0123456789abcdef0123456789abcdef\"" }));
        var notModified = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.GetObjectAsync(new GetObjectRequest { BucketName = "ranges", Key = "k", EtagToNotMatch = etag }));
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        await FailsWith("NoSuchKey", HttpStatusCode.NotFound, () => s3.GetObjectAsync("ranges", "missing"));
    }

    [Fact]
    public async Task Listing_pages_with_continuation_tokens_and_common_prefixes()
    {
        using var s3 = _server.S3();
        await s3.PutBucketAsync("listing");
        var keys = Enumerable.Range(0, 25).Select(i => $"images/ami-{i:D3}.bin").Append("readme.txt").Append("logs/a").ToList();
        foreach (var key in keys)
        {
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = "listing", Key = key, ContentBody = key });
        }

        var seen = new List<string>();
        var request = new ListObjectsV2Request { BucketName = "listing", MaxKeys = 10 };
        var pages = 0;
        ListObjectsV2Response page;
        do
        {
            page = await s3.ListObjectsV2Async(request);
            seen.AddRange(page.S3Objects.Select(o => o.Key));
            request.ContinuationToken = page.NextContinuationToken;
            pages++;
        }
        while (page.IsTruncated == true);
        Assert.Equal(3, pages);
        Assert.Equal(keys.Order(StringComparer.Ordinal), seen);

        var top = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "listing", Delimiter = "/" });
        Assert.Equal(["images/", "logs/"], top.CommonPrefixes);
        Assert.Equal(["readme.txt"], top.S3Objects.Select(o => o.Key));

        var v1 = await s3.ListObjectsAsync(new ListObjectsRequest { BucketName = "listing", Prefix = "images/", MaxKeys = 20 });
        Assert.True(v1.IsTruncated);
        Assert.Equal(20, v1.S3Objects.Count);
        var v1Next = await s3.ListObjectsAsync(new ListObjectsRequest { BucketName = "listing", Prefix = "images/", Marker = v1.NextMarker ?? v1.S3Objects[^1].Key });
        Assert.Equal(5, v1Next.S3Objects.Count);
    }

    [Fact]
    public async Task Copy_delete_many_and_bucket_location_work()
    {
        using var s3 = _server.S3();
        await s3.PutBucketAsync("copies");
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = "copies", Key = "src", ContentBody = "payload", Metadata = { ["a"] = "1" } });

        var copy = await s3.CopyObjectAsync(new CopyObjectRequest { SourceBucket = "copies", SourceKey = "src", DestinationBucket = "copies", DestinationKey = "dst" });
        Assert.Equal(copy.ETag, (await s3.GetObjectMetadataAsync("copies", "src")).ETag);
        Assert.Equal("1", (await s3.GetObjectMetadataAsync("copies", "dst")).Metadata["a"]);
        await s3.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = "copies",
            SourceKey = "src",
            DestinationBucket = "copies",
            DestinationKey = "replaced",
            MetadataDirective = S3MetadataDirective.REPLACE,
            Metadata = { ["b"] = "2" },
        });
        var replaced = await s3.GetObjectMetadataAsync("copies", "replaced");
        Assert.Equal("2", replaced.Metadata["b"]);
        Assert.DoesNotContain("x-amz-meta-a", replaced.Metadata.Keys);

        var deleted = await s3.DeleteObjectsAsync(new DeleteObjectsRequest
        {
            BucketName = "copies",
            Objects = [new KeyVersion { Key = "src" }, new KeyVersion { Key = "dst" }, new KeyVersion { Key = "never-existed" }],
        });
        Assert.Equal(3, deleted.DeletedObjects.Count);
        Assert.Equal(["replaced"], (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "copies" })).S3Objects.Select(o => o.Key));

        var location = await s3.GetBucketLocationAsync("copies");
        Assert.True(string.IsNullOrEmpty(location.Location?.Value));
        await FailsWith("BucketNotEmpty", HttpStatusCode.Conflict, () => s3.DeleteBucketAsync("copies"));
        await s3.DeleteObjectAsync("copies", "replaced");
        await s3.DeleteBucketAsync("copies");
        await FailsWith("NoSuchBucket", HttpStatusCode.NotFound, () => s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "copies" }));
    }

    [Fact]
    public async Task GetObjectAttributes_answers_size_and_etag_of_a_simple_object_without_parts()
    {
        using var s3 = _server.S3();
        await s3.PutBucketAsync("attrs");
        var put = await s3.PutObjectAsync(new PutObjectRequest { BucketName = "attrs", Key = "k", ContentBody = "body" });
        var attributes = await s3.GetObjectAttributesAsync(new GetObjectAttributesRequest
        {
            BucketName = "attrs",
            Key = "k",
            ObjectAttributes = [ObjectAttributes.ETag, ObjectAttributes.ObjectSize, ObjectAttributes.ObjectParts],
        });

        Assert.Equal(put.ETag.Trim('"'), attributes.ETag);
        Assert.Equal(4, attributes.ObjectSize);
        Assert.Null(attributes.ObjectParts);
        await FailsWith("NoSuchKey", HttpStatusCode.NotFound, () => s3.GetObjectAttributesAsync(new GetObjectAttributesRequest
        {
            BucketName = "attrs",
            Key = "missing",
            ObjectAttributes = [ObjectAttributes.ETag],
        }));
    }

    [Fact]
    public async Task Bucket_creation_follows_S3_naming_and_location_rules()
    {
        using var s3 = _server.S3();
        foreach (var name in new[] { "ab", "Has-Upper", "under_score", "192.168.0.1", "trailing-" })
        {
            await FailsWith("InvalidBucketName", HttpStatusCode.BadRequest, () => s3.PutBucketAsync(name));
        }

        await FailsWith("IllegalLocationConstraintException", HttpStatusCode.BadRequest, () => s3.PutBucketAsync(new PutBucketRequest { BucketName = "elsewhere", BucketRegionName = "eu-west-1" }));
        await s3.PutBucketAsync("mine");

        // us-east-1 answers its owner's repeated CreateBucket with 200 (AWS's legacy rule); other regions with 409.
        await s3.PutBucketAsync("mine");
        using var bob = _server.S3(TestServer.Bob);
        await FailsWith("BucketAlreadyExists", HttpStatusCode.Conflict, () => bob.PutBucketAsync("mine"));
        await using var ireland = await TestServer.StartAsync("eu-west-1");
        using var s3Ireland = ireland.S3();
        await s3Ireland.PutBucketAsync(new PutBucketRequest { BucketName = "mine", BucketRegionName = "eu-west-1" });
        await FailsWith("BucketAlreadyOwnedByYou", HttpStatusCode.Conflict, () => s3Ireland.PutBucketAsync(new PutBucketRequest { BucketName = "mine", BucketRegionName = "eu-west-1" }));
    }

    [Fact]
    public async Task A_bucket_in_another_region_server_takes_its_location_constraint()
    {
        await using var server = await TestServer.StartAsync("eu-west-1");
        using var s3 = server.S3();
        await s3.PutBucketAsync(new PutBucketRequest { BucketName = "euro", BucketRegionName = "eu-west-1" });
        Assert.Equal("eu-west-1", (await s3.GetBucketLocationAsync("euro")).Location.Value);
        await FailsWith("IllegalLocationConstraintException", HttpStatusCode.BadRequest, () => s3.PutBucketAsync(new PutBucketRequest { BucketName = "other", BucketRegionName = "us-west-2" }));
    }

    [Fact]
    public async Task Another_accounts_bucket_is_AccessDenied_and_invisible()
    {
        using var alice = _server.S3();
        using var bob = _server.S3(TestServer.Bob);
        await alice.PutBucketAsync("alice-only");
        await alice.PutObjectAsync(new PutObjectRequest { BucketName = "alice-only", Key = "secret", ContentBody = "s" });

        Assert.Empty((await bob.ListBucketsAsync()).Buckets ?? []);
        await FailsWith("AccessDenied", HttpStatusCode.Forbidden, () => bob.GetObjectAsync("alice-only", "secret"));
        await FailsWith("AccessDenied", HttpStatusCode.Forbidden, () => bob.PutObjectAsync(new PutObjectRequest { BucketName = "alice-only", Key = "planted", ContentBody = "x" }));
        await FailsWith("AccessDenied", HttpStatusCode.Forbidden, () => bob.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "alice-only" }));
        await FailsWith("AccessDenied", HttpStatusCode.Forbidden, () => bob.DeleteBucketAsync("alice-only"));
        await FailsWith("AccessDenied", HttpStatusCode.Forbidden, () => bob.InitiateMultipartUploadAsync("alice-only", "planted"));
        await FailsWith("AccessDenied", HttpStatusCode.Forbidden, () => bob.CopyObjectAsync("alice-only", "secret", "alice-only", "copy"));
        Assert.Equal(["secret"], (await alice.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "alice-only" })).S3Objects.Select(o => o.Key));
    }

    [Fact]
    public async Task Public_ACLs_and_policies_are_refused_and_private_ones_accepted()
    {
        using var s3 = _server.S3();
        await s3.PutBucketAsync("private");
        await FailsWith("AccessDenied", HttpStatusCode.Forbidden, () => s3.PutObjectAsync(new PutObjectRequest { BucketName = "private", Key = "k", ContentBody = "x", CannedACL = S3CannedACL.PublicRead }));
        await FailsWith("AccessDenied", HttpStatusCode.Forbidden, () => s3.PutBucketAclAsync(new PutBucketAclRequest { BucketName = "private", ACL = S3CannedACL.PublicReadWrite }));
        await FailsWith("AccessDenied", HttpStatusCode.Forbidden, () => s3.PutBucketPolicyAsync("private", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::private/*\"}]}"));
        await FailsWith("AccessDenied", HttpStatusCode.Forbidden, () => s3.PutBucketAsync(new PutBucketRequest { BucketName = "public", CannedACL = S3CannedACL.PublicRead }));
        await FailsWith("NotFound", HttpStatusCode.NotFound, () => s3.GetObjectMetadataAsync("private", "k"));

        await s3.PutObjectAsync(new PutObjectRequest { BucketName = "private", Key = "k", ContentBody = "x", CannedACL = S3CannedACL.Private });
        await s3.PutBucketAclAsync(new PutBucketAclRequest { BucketName = "private", ACL = S3CannedACL.Private });
        var acl = await s3.GetObjectAclAsync(new GetObjectAclRequest { BucketName = "private", Key = "k" });
        Assert.Equal(TestServer.Alice.Id, Assert.Single(acl.Grants).Grantee.CanonicalUser);
    }

    [Fact]
    public async Task Multipart_errors_are_S3s_and_leave_no_object()
    {
        using var s3 = _server.S3();
        await s3.PutBucketAsync("parts");
        var upload = await s3.InitiateMultipartUploadAsync("parts", "k");
        var small = new byte[1024];
        async Task<string> Part(int number, byte[] data) => (await s3.UploadPartAsync(new UploadPartRequest
        {
            BucketName = "parts",
            Key = "k",
            UploadId = upload.UploadId,
            PartNumber = number,
            InputStream = new MemoryStream(data),
        })).ETag;
        var e1 = await Part(1, small);
        var e2 = await Part(2, small);

        Task Complete(params (int Number, string ETag)[] parts) => s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = "parts",
            Key = "k",
            UploadId = upload.UploadId,
            PartETags = [.. parts.Select(p => new PartETag(p.Number, p.ETag))],
        });
        await FailsWith("EntityTooSmall", HttpStatusCode.BadRequest, () => Complete((1, e1), (2, e2)));
        await FailsWith("InvalidPart", HttpStatusCode.BadRequest, () => Complete((1, e1), (3, e2)));
        await FailsWith("NotFound", HttpStatusCode.NotFound, () => s3.GetObjectMetadataAsync("parts", "k"));

        var listed = await s3.ListPartsAsync(new ListPartsRequest { BucketName = "parts", Key = "k", UploadId = upload.UploadId });
        Assert.Equal([1, 2], listed.Parts.Select(p => p.PartNumber ?? 0));
        await s3.AbortMultipartUploadAsync("parts", "k", upload.UploadId);
        await FailsWith("NoSuchUpload", HttpStatusCode.NotFound, () => Part(3, small));
        Assert.Empty((await s3.ListMultipartUploadsAsync("parts")).MultipartUploads ?? []);
    }

    [Fact]
    public async Task A_wrong_Content_MD5_is_BadDigest_and_stores_nothing()
    {
        using var s3 = _server.S3();
        await s3.PutBucketAsync("digests");
        await FailsWith("BadDigest", HttpStatusCode.BadRequest, () => s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = "digests",
            Key = "k",
            ContentBody = "hello",
            MD5Digest = Convert.ToBase64String(MD5.HashData(Encoding.UTF8.GetBytes("HELLO"))),
        }));
        await FailsWith("InvalidDigest", HttpStatusCode.BadRequest, () => s3.PutObjectAsync(new PutObjectRequest { BucketName = "digests", Key = "k", ContentBody = "hello", MD5Digest = "bm90LW1kNQ==" }));
        Assert.Empty((await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "digests" })).S3Objects ?? []);
    }

    [Fact]
    public async Task Every_flexible_checksum_the_SDK_offers_is_verified_and_echoed()
    {
        using var s3 = _server.S3();
        await s3.PutBucketAsync("checksums");
        foreach (var algorithm in new[] { ChecksumAlgorithm.CRC32, ChecksumAlgorithm.CRC32C, ChecksumAlgorithm.SHA1, ChecksumAlgorithm.SHA256, ChecksumAlgorithm.CRC64NVME })
        {
            var put = await s3.PutObjectAsync(new PutObjectRequest { BucketName = "checksums", Key = algorithm.Value, ContentBody = "hello world", ChecksumAlgorithm = algorithm });
            Assert.Equal(HttpStatusCode.OK, put.HttpStatusCode);
        }

        Assert.Equal(5, (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "checksums" })).KeyCount);
        var sha256 = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes("hello world")));
        var echoed = await s3.PutObjectAsync(new PutObjectRequest { BucketName = "checksums", Key = "given", ContentBody = "hello world", ChecksumSHA256 = sha256 });
        Assert.Equal(sha256, echoed.ChecksumSHA256);
        await FailsWith("BadDigest", HttpStatusCode.BadRequest, () => s3.PutObjectAsync(new PutObjectRequest { BucketName = "checksums", Key = "bad", ContentBody = "hello world", ChecksumSHA256 = Convert.ToBase64String(new byte[32]) }));
        await FailsWith("NotFound", HttpStatusCode.NotFound, () => s3.GetObjectMetadataAsync("checksums", "bad"));
    }

    [Fact]
    public async Task Server_side_encryption_is_reported_and_bucket_default_applies()
    {
        using var s3 = _server.S3();
        await s3.PutBucketAsync("sse");
        var put = await s3.PutObjectAsync(new PutObjectRequest { BucketName = "sse", Key = "asked", ContentBody = "secret", ServerSideEncryptionMethod = ServerSideEncryptionMethod.AES256 });
        Assert.Equal(ServerSideEncryptionMethod.AES256, put.ServerSideEncryptionMethod);
        Assert.Equal(ServerSideEncryptionMethod.AES256, (await s3.GetObjectMetadataAsync("sse", "asked")).ServerSideEncryptionMethod);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = "sse", Key = "plain", ContentBody = "open" });
        Assert.NotEqual(ServerSideEncryptionMethod.AES256, (await s3.GetObjectMetadataAsync("sse", "plain")).ServerSideEncryptionMethod);

        // The SDK turns S3's ServerSideEncryptionConfigurationNotFoundError into an empty configuration.
        var none = await s3.GetBucketEncryptionAsync(new GetBucketEncryptionRequest { BucketName = "sse" });
        Assert.Empty(none.ServerSideEncryptionConfiguration?.ServerSideEncryptionRules ?? []);
        await s3.PutBucketEncryptionAsync(new PutBucketEncryptionRequest
        {
            BucketName = "sse",
            ServerSideEncryptionConfiguration = new ServerSideEncryptionConfiguration
            {
                ServerSideEncryptionRules = [new ServerSideEncryptionRule { ServerSideEncryptionByDefault = new ServerSideEncryptionByDefault { ServerSideEncryptionAlgorithm = ServerSideEncryptionMethod.AES256 } }],
            },
        });
        var rules = (await s3.GetBucketEncryptionAsync(new GetBucketEncryptionRequest { BucketName = "sse" })).ServerSideEncryptionConfiguration.ServerSideEncryptionRules;
        Assert.Equal(ServerSideEncryptionMethod.AES256, Assert.Single(rules).ServerSideEncryptionByDefault.ServerSideEncryptionAlgorithm);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = "sse", Key = "by-default", ContentBody = "secret too" });
        var get = await s3.GetObjectAsync("sse", "by-default");
        Assert.Equal(ServerSideEncryptionMethod.AES256, get.ServerSideEncryptionMethod);
        Assert.Equal("secret too", Encoding.UTF8.GetString(await ReadAllAsync(get)));
        await FailsWith("InvalidArgument", HttpStatusCode.BadRequest, () => s3.PutObjectAsync(new PutObjectRequest { BucketName = "sse", Key = "kms", ContentBody = "x", ServerSideEncryptionMethod = ServerSideEncryptionMethod.AWSKMS }));
    }

    [Fact]
    public async Task Presigned_urls_work_and_a_changed_one_is_refused()
    {
        using var s3 = _server.S3();
        await s3.PutBucketAsync("presigned");
        Task<string> Url(HttpVerb verb) => s3.GetPreSignedURLAsync(new GetPreSignedUrlRequest
        {
            BucketName = "presigned",
            Key = "shared.txt",
            Verb = verb,
            Expires = DateTime.UtcNow.AddMinutes(5),
            Protocol = Protocol.HTTP,
        });
        var upload = await Url(HttpVerb.PUT);
        var download = await Url(HttpVerb.GET);
        using var http = new HttpClient();

        Assert.Equal(HttpStatusCode.OK, (await http.PutAsync(upload, new StringContent("via url"))).StatusCode);
        Assert.Equal("via url", await http.GetStringAsync(download));
        var tampered = await http.GetAsync(download.Replace("shared.txt", "other.txt", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Forbidden, tampered.StatusCode);
        Assert.Contains("SignatureDoesNotMatch", await tampered.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Naming_another_expected_bucket_owner_is_AccessDenied()
    {
        using var s3 = _server.S3();
        await s3.PutBucketAsync("owned");
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = "owned", Key = "k", ContentBody = "x", ExpectedBucketOwner = TestServer.Alice.Id });
        await FailsWith("AccessDenied", HttpStatusCode.Forbidden, () => s3.GetObjectAsync(new GetObjectRequest { BucketName = "owned", Key = "k", ExpectedBucketOwner = TestServer.Bob.Id }));
    }
}
