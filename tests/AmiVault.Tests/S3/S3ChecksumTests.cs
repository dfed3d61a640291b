using System.Buffers.Binary;
using System.IO.Hashing;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using AmiVault.Tests.Support;
using Amazon.S3;
using Amazon.S3.Model;

namespace AmiVault.Tests.S3;

/// <summary>
/// Flexible checksums kept with objects (issue 15): sent by AWSSDK.S3 (its default CRC32 trailer and each algorithm
/// asked for), boto3 and the AWS CLI; returned on GET/HEAD with x-amz-checksum-mode: ENABLED (the SDK then checks the
/// body against it), in GetObjectAttributes, ListParts and CompleteMultipartUpload; composite and full-object
/// checksums of multipart uploads, with the expected values computed here from the data, not from the server's code.
/// </summary>
[Trait("Category", TestCategories.Process)]
public sealed class S3ChecksumTests : IAsyncLifetime
{
    private const string Bucket = "sums";
    private const int PartSize = 5 * 1024 * 1024;

    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static async Task FailsWith(string code, HttpStatusCode status, Func<Task> action)
    {
        var e = await Assert.ThrowsAnyAsync<AmazonS3Exception>(action);
        Assert.Equal((code, status), (e.ErrorCode, e.StatusCode));
    }

    private static string Sha256(byte[] data) => Convert.ToBase64String(SHA256.HashData(data));

    private static string Crc32Of(byte[] data)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, Crc32.HashToUInt32(data));
        return Convert.ToBase64String(bytes);
    }

    private static string Crc64NvmeOf(byte[] data)
    {
        var crc = new Crc64(Crc64ParameterSet.Nvme);
        crc.Append(data);
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, crc.GetCurrentHashAsUInt64());
        return Convert.ToBase64String(bytes);
    }

    private static async Task<byte[]> BodyAsync(GetObjectResponse response)
    {
        using (response)
        {
            using var copy = new MemoryStream();
            await response.ResponseStream.CopyToAsync(copy);
            return copy.ToArray();
        }
    }

    [Fact]
    public async Task A_PutObject_checksum_is_kept_and_returned_only_when_asked_and_only_for_the_whole_object()
    {
        using var s3 = _server.S3();
        await s3.PutBucketAsync(Bucket);
        var data = RandomNumberGenerator.GetBytes(200_000);

        var put = await s3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = "sha", InputStream = new MemoryStream(data), ChecksumAlgorithm = ChecksumAlgorithm.SHA256 });
        Assert.Equal(Sha256(data), put.ChecksumSHA256);
        Assert.Equal(ChecksumType.FULL_OBJECT, put.ChecksumType);

        var head = await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = "sha", ChecksumMode = ChecksumMode.ENABLED });
        Assert.Equal(Sha256(data), head.ChecksumSHA256);
        Assert.Equal(ChecksumType.FULL_OBJECT, head.ChecksumType);
        Assert.Null((await s3.GetObjectMetadataAsync(Bucket, "sha")).ChecksumSHA256);

        using var get = await s3.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = "sha", ChecksumMode = ChecksumMode.ENABLED });
        Assert.Equal(Sha256(data), get.ChecksumSHA256);
        Assert.Equal(data, await BodyAsync(get));

        using var range = await s3.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = "sha", ChecksumMode = ChecksumMode.ENABLED, ByteRange = new ByteRange(10, 99) });
        Assert.Null(range.ChecksumSHA256);
        Assert.Equal(data[10..100], await BodyAsync(range));

        var attributes = await s3.GetObjectAttributesAsync(new GetObjectAttributesRequest { BucketName = Bucket, Key = "sha", ObjectAttributes = [ObjectAttributes.Checksum] });
        Assert.Equal(Sha256(data), attributes.Checksum.ChecksumSHA256);
        Assert.Equal(ChecksumType.FULL_OBJECT, attributes.Checksum.ChecksumType);
    }

    [Fact]
    public async Task The_SDKs_default_CRC32_trailer_is_kept_and_each_algorithm_comes_back_as_sent()
    {
        using var s3 = _server.S3();
        await s3.PutBucketAsync(Bucket);
        var data = Encoding.UTF8.GetBytes("hello world");

        await s3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = "default", InputStream = new MemoryStream(data) });
        var head = await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = "default", ChecksumMode = ChecksumMode.ENABLED });
        Assert.Equal(Crc32Of(data), head.ChecksumCRC32);

        foreach (var algorithm in new[] { ChecksumAlgorithm.CRC32C, ChecksumAlgorithm.CRC64NVME, ChecksumAlgorithm.SHA1 })
        {
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = algorithm.Value, InputStream = new MemoryStream(data), ChecksumAlgorithm = algorithm });
            var kept = await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = algorithm.Value, ChecksumMode = ChecksumMode.ENABLED });
            Assert.Equal(
                algorithm == ChecksumAlgorithm.CRC32C ? "yZRlqg==" : algorithm == ChecksumAlgorithm.SHA1 ? Convert.ToBase64String(SHA1.HashData(data)) : Crc64NvmeOf(data),
                kept.ChecksumCRC32C ?? kept.ChecksumSHA1 ?? kept.ChecksumCRC64NVME);
        }

        // A copy keeps the source's algorithm, computed over the copied bytes.
        var copy = await s3.CopyObjectAsync(new CopyObjectRequest { SourceBucket = Bucket, SourceKey = "SHA1", DestinationBucket = Bucket, DestinationKey = "copied" });
        Assert.Equal(Convert.ToBase64String(SHA1.HashData(data)), copy.ChecksumSHA1);
        Assert.Equal(Convert.ToBase64String(SHA1.HashData(data)), (await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = "copied", ChecksumMode = ChecksumMode.ENABLED })).ChecksumSHA1);
    }

    [Fact]
    public async Task A_composite_multipart_checksum_is_made_from_the_parts_and_each_part_keeps_its_own()
    {
        using var s3 = _server.S3();
        await s3.PutBucketAsync(Bucket);
        var parts = new[] { RandomNumberGenerator.GetBytes(PartSize), RandomNumberGenerator.GetBytes(PartSize), RandomNumberGenerator.GetBytes(1000) };
        var upload = await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = Bucket, Key = "mp", ChecksumAlgorithm = ChecksumAlgorithm.SHA256 });
        var etags = new List<PartETag>();
        for (var i = 0; i < parts.Length; i++)
        {
            var part = await s3.UploadPartAsync(new UploadPartRequest
            {
                BucketName = Bucket, Key = "mp", UploadId = upload.UploadId, PartNumber = i + 1, InputStream = new MemoryStream(parts[i]), ChecksumAlgorithm = ChecksumAlgorithm.SHA256,
            });
            Assert.Equal(Sha256(parts[i]), part.ChecksumSHA256);
            etags.Add(new PartETag(i + 1, part.ETag) { ChecksumSHA256 = part.ChecksumSHA256 });
        }

        var listed = await s3.ListPartsAsync(new ListPartsRequest { BucketName = Bucket, Key = "mp", UploadId = upload.UploadId });
        Assert.Equal(parts.Select(Sha256), listed.Parts.Select(p => p.ChecksumSHA256));
        Assert.Equal(ChecksumAlgorithm.SHA256, listed.ChecksumAlgorithm);
        Assert.Equal(ChecksumType.COMPOSITE, listed.ChecksumType);

        // The wrong checksum for a part is InvalidPart; leaving a part's out is InvalidRequest for a composite upload.
        var wrong = etags.Select(e => new PartETag(e.PartNumber ?? 0, e.ETag) { ChecksumSHA256 = e.ChecksumSHA256 }).ToList();
        wrong[1].ChecksumSHA256 = Sha256(parts[0]);
        await FailsWith("InvalidPart", HttpStatusCode.BadRequest, () => s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = Bucket, Key = "mp", UploadId = upload.UploadId, PartETags = wrong }));
        var missing = etags.Select(e => new PartETag(e.PartNumber ?? 0, e.ETag)).ToList();
        await FailsWith("InvalidRequest", HttpStatusCode.BadRequest, () => s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = Bucket, Key = "mp", UploadId = upload.UploadId, PartETags = missing }));

        var composite = Convert.ToBase64String(SHA256.HashData(parts.SelectMany(SHA256.HashData).ToArray()));
        var done = await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = Bucket, Key = "mp", UploadId = upload.UploadId, PartETags = etags });
        Assert.Equal(composite + "-3", done.ChecksumSHA256);
        Assert.Equal(ChecksumType.COMPOSITE, done.ChecksumType);

        var head = await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = "mp", ChecksumMode = ChecksumMode.ENABLED });
        Assert.Equal(composite + "-3", head.ChecksumSHA256);
        Assert.Equal(ChecksumType.COMPOSITE, head.ChecksumType);
        using (var whole = await s3.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = "mp", ChecksumMode = ChecksumMode.ENABLED }))
        {
            Assert.Equal(parts.SelectMany(p => p).ToArray(), await BodyAsync(whole));
        }

        // One part: its own checksum, which the SDK checks the part's bytes against.
        using (var second = await s3.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = "mp", PartNumber = 2, ChecksumMode = ChecksumMode.ENABLED }))
        {
            Assert.Equal(Sha256(parts[1]), second.ChecksumSHA256);
            Assert.Equal(parts[1], await BodyAsync(second));
        }

        var attributes = await s3.GetObjectAttributesAsync(new GetObjectAttributesRequest
        {
            BucketName = Bucket, Key = "mp", ObjectAttributes = [ObjectAttributes.Checksum, ObjectAttributes.ObjectParts],
        });
        Assert.Equal(composite, attributes.Checksum.ChecksumSHA256);
        Assert.Equal(ChecksumType.COMPOSITE, attributes.Checksum.ChecksumType);
        Assert.Equal(parts.Select(Sha256), attributes.ObjectParts.Parts.Select(p => p.ChecksumSHA256));
    }

    [Fact]
    public async Task A_full_object_multipart_checksum_is_the_CRC_of_all_the_data_and_a_sent_one_is_verified()
    {
        using var s3 = _server.S3();
        await s3.PutBucketAsync(Bucket);
        var parts = new[] { RandomNumberGenerator.GetBytes(PartSize), RandomNumberGenerator.GetBytes(12345) };
        var data = parts.SelectMany(p => p).ToArray();

        // Without part checksums means a client that sends none: the SDK's default would send CRC32 (a mismatch).
        using var bare = _server.S3(checksumsOnlyWhenRequired: true);

        async Task<InitiateMultipartUploadResponse> UploadAsync(string key, bool sendPartChecksums)
        {
            var upload = await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = Bucket, Key = key, ChecksumAlgorithm = ChecksumAlgorithm.CRC64NVME });
            Assert.Equal(ChecksumType.FULL_OBJECT, upload.ChecksumType);
            for (var i = 0; i < parts.Length; i++)
            {
                await (sendPartChecksums ? s3 : bare).UploadPartAsync(new UploadPartRequest
                {
                    BucketName = Bucket, Key = key, UploadId = upload.UploadId, PartNumber = i + 1, InputStream = new MemoryStream(parts[i]),
                    ChecksumAlgorithm = sendPartChecksums ? ChecksumAlgorithm.CRC64NVME : null,
                });
            }

            return upload;
        }

        var first = await UploadAsync("full", sendPartChecksums: true);
        var etags = (await s3.ListPartsAsync(new ListPartsRequest { BucketName = Bucket, Key = "full", UploadId = first.UploadId })).Parts.Select(p => new PartETag(p.PartNumber ?? 0, p.ETag)).ToList();
        await FailsWith("BadDigest", HttpStatusCode.BadRequest, () => s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = Bucket, Key = "full", UploadId = first.UploadId, PartETags = etags, ChecksumCRC64NVME = Crc64NvmeOf(parts[0]), ChecksumType = ChecksumType.FULL_OBJECT,
        }));
        var done = await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = Bucket, Key = "full", UploadId = first.UploadId, PartETags = etags, ChecksumCRC64NVME = Crc64NvmeOf(data), ChecksumType = ChecksumType.FULL_OBJECT,
        });
        Assert.Equal(Crc64NvmeOf(data), done.ChecksumCRC64NVME);
        Assert.Equal(ChecksumType.FULL_OBJECT, done.ChecksumType);
        using (var get = await s3.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = "full", ChecksumMode = ChecksumMode.ENABLED }))
        {
            Assert.Equal(Crc64NvmeOf(data), get.ChecksumCRC64NVME);
            Assert.Equal(data, await BodyAsync(get));
        }

        // Parts sent without a checksum: a full-object upload computes them (a composite one refuses such a part).
        var second = await UploadAsync("computed", sendPartChecksums: false);
        var listed = await s3.ListPartsAsync(new ListPartsRequest { BucketName = Bucket, Key = "computed", UploadId = second.UploadId });
        Assert.Equal(parts.Select(Crc64NvmeOf), listed.Parts.Select(p => p.ChecksumCRC64NVME));
        var computed = await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = Bucket, Key = "computed", UploadId = second.UploadId, PartETags = [.. listed.Parts.Select(p => new PartETag(p.PartNumber ?? 0, p.ETag))],
        });
        Assert.Equal(Crc64NvmeOf(data), computed.ChecksumCRC64NVME);

        // A part of another object's algorithm, or a type the algorithm does not have, is InvalidRequest.
        var crc32Upload = await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = Bucket, Key = "mixed", ChecksumAlgorithm = ChecksumAlgorithm.CRC32 });
        Assert.Equal(ChecksumType.COMPOSITE, crc32Upload.ChecksumType);
        await FailsWith("InvalidRequest", HttpStatusCode.BadRequest, () => s3.UploadPartAsync(new UploadPartRequest
        {
            BucketName = Bucket, Key = "mixed", UploadId = crc32Upload.UploadId, PartNumber = 1, InputStream = new MemoryStream(parts[1]), ChecksumAlgorithm = ChecksumAlgorithm.SHA1,
        }));
        await FailsWith("InvalidRequest", HttpStatusCode.BadRequest, () => s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
        {
            BucketName = Bucket, Key = "bad", ChecksumAlgorithm = ChecksumAlgorithm.SHA256, ChecksumType = ChecksumType.FULL_OBJECT,
        }));
        await FailsWith("InvalidRequest", HttpStatusCode.BadRequest, () => s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
        {
            BucketName = Bucket, Key = "bad", ChecksumAlgorithm = ChecksumAlgorithm.CRC64NVME, ChecksumType = ChecksumType.COMPOSITE,
        }));
    }

    [Fact]
    public async Task Boto3_sends_checksums_and_reads_them_back_with_checksum_mode()
    {
        var output = await Boto3.RunAsync(_server, TestServer.Alice, """
            import base64, hashlib, zlib
            s3.create_bucket(Bucket="sums")
            data = b"archival copy " * 1000
            put = s3.put_object(Bucket="sums", Key="b", Body=data, ChecksumAlgorithm="SHA256")
            head = s3.head_object(Bucket="sums", Key="b", ChecksumMode="ENABLED")
            plain = s3.head_object(Bucket="sums", Key="b")
            attrs = s3.get_object_attributes(Bucket="sums", Key="b", ObjectAttributes=["Checksum", "ObjectSize"])
            part1, part2 = b"a" * (5 * 1024 * 1024), b"b" * 100
            up = s3.create_multipart_upload(Bucket="sums", Key="m", ChecksumAlgorithm="CRC32")
            r1 = s3.upload_part(Bucket="sums", Key="m", UploadId=up["UploadId"], PartNumber=1, Body=part1, ChecksumAlgorithm="CRC32")
            r2 = s3.upload_part(Bucket="sums", Key="m", UploadId=up["UploadId"], PartNumber=2, Body=part2, ChecksumAlgorithm="CRC32")
            done = s3.complete_multipart_upload(Bucket="sums", Key="m", UploadId=up["UploadId"], MultipartUpload={"Parts": [
                {"PartNumber": 1, "ETag": r1["ETag"], "ChecksumCRC32": r1["ChecksumCRC32"]},
                {"PartNumber": 2, "ETag": r2["ETag"], "ChecksumCRC32": r2["ChecksumCRC32"]}]})
            crc = lambda b: base64.b64encode(zlib.crc32(b).to_bytes(4, "big")).decode()
            expected = crc(base64.b64decode(crc(part1)) + base64.b64decode(crc(part2))) + "-2"
            mhead = s3.head_object(Bucket="sums", Key="m", ChecksumMode="ENABLED")
            print(json.dumps({
                "sha": base64.b64encode(hashlib.sha256(data).digest()).decode(),
                "put": put.get("ChecksumSHA256"), "head": head.get("ChecksumSHA256"), "plain": plain.get("ChecksumSHA256"),
                "attrs": attrs["Checksum"]["ChecksumSHA256"],
                "part1": r1["ChecksumCRC32"] == crc(part1), "expected": expected, "done": done.get("ChecksumCRC32"), "mhead": mhead.get("ChecksumCRC32")}))
            """);
        var result = System.Text.Json.JsonDocument.Parse(output).RootElement;
        var sha = result.GetProperty("sha").GetString();
        Assert.Equal(sha, result.GetProperty("put").GetString());
        Assert.Equal(sha, result.GetProperty("head").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, result.GetProperty("plain").ValueKind);
        Assert.Equal(sha, result.GetProperty("attrs").GetString());
        Assert.True(result.GetProperty("part1").GetBoolean());
        Assert.Equal(result.GetProperty("expected").GetString(), result.GetProperty("done").GetString());
        Assert.Equal(result.GetProperty("expected").GetString(), result.GetProperty("mhead").GetString());
    }

    [Fact]
    public async Task The_AWS_CLI_puts_with_a_checksum_algorithm_and_reads_it_back()
    {
        var file = Path.Combine(_server.DataDir, "cli-sum.bin");
        var data = RandomNumberGenerator.GetBytes(70_000);
        await File.WriteAllBytesAsync(file, data);
        (await AwsCli.RunAsync(_server, "s3api", "create-bucket", "--bucket", Bucket)).EnsureSuccess();

        var put = (await AwsCli.RunAsync(_server, "s3api", "put-object", "--bucket", Bucket, "--key", "c", "--body", file, "--checksum-algorithm", "CRC32C")).EnsureSuccess().Json;
        var crc32c = new Crc32(Crc32ParameterSet.Crc32C);
        crc32c.Append(data);
        var expected = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(expected, crc32c.GetCurrentHashAsUInt32());
        Assert.Equal(Convert.ToBase64String(expected), put.GetProperty("ChecksumCRC32C").GetString());

        var head = (await AwsCli.RunAsync(_server, "s3api", "head-object", "--bucket", Bucket, "--key", "c", "--checksum-mode", "ENABLED")).EnsureSuccess().Json;
        Assert.Equal(Convert.ToBase64String(expected), head.GetProperty("ChecksumCRC32C").GetString());
        var attributes = (await AwsCli.RunAsync(_server, "s3api", "get-object-attributes", "--bucket", Bucket, "--key", "c", "--object-attributes", "Checksum")).EnsureSuccess().Json;
        Assert.Equal(Convert.ToBase64String(expected), attributes.GetProperty("Checksum").GetProperty("ChecksumCRC32C").GetString());

        var bad = await AwsCli.RunAsync(_server, "s3api", "put-object", "--bucket", Bucket, "--key", "bad", "--body", file, "--checksum-sha1", Convert.ToBase64String(new byte[20]));
        Assert.Equal("BadDigest", bad.ErrorCode);
        var malformed = await AwsCli.RunAsync(_server, "s3api", "put-object", "--bucket", Bucket, "--key", "bad", "--body", file, "--checksum-crc32", "AAAA");
        Assert.Equal("InvalidRequest", malformed.ErrorCode);
    }
}
