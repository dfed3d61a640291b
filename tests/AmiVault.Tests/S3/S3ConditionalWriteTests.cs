using System.Net;
using AmiVault.Tests.Support;
using Amazon.S3;
using Amazon.S3.Model;

namespace AmiVault.Tests.S3;

/// <summary>
/// Conditional writes (If-None-Match: * and If-Match on PutObject and CompleteMultipartUpload) through AWSSDK.S3, and
/// multipart uploads carrying headers and tags through boto3 (issue 15).
/// </summary>
public sealed class S3ConditionalWriteTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static async Task FailsWith(string code, HttpStatusCode status, Func<Task> action)
    {
        var e = await Assert.ThrowsAnyAsync<AmazonS3Exception>(action);
        Assert.Equal((code, status), (e.ErrorCode, e.StatusCode));
    }

    private static PutObjectRequest Put(string key, string body) => new() { BucketName = "cond", Key = key, ContentBody = body };

    private static async Task<string> ReadAsync(IAmazonS3 s3, string key)
    {
        using var response = await s3.GetObjectAsync("cond", key);
        using var reader = new StreamReader(response.ResponseStream);
        return await reader.ReadToEndAsync();
    }

    [Fact]
    public async Task PutObject_writes_only_when_its_condition_holds()
    {
        using var s3 = _server.S3();
        await s3.PutBucketAsync("cond");

        var first = await s3.PutObjectAsync(Put("k", "first"));
        await FailsWith("PreconditionFailed", HttpStatusCode.PreconditionFailed, () => s3.PutObjectAsync(new PutObjectRequest { BucketName = "cond", Key = "k", ContentBody = "second", IfNoneMatch = "*" }));
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = "cond", Key = "new", ContentBody = "created", IfNoneMatch = "*" });

        await FailsWith("PreconditionFailed", HttpStatusCode.PreconditionFailed, () => s3.PutObjectAsync(new PutObjectRequest { BucketName = "cond", Key = "k", ContentBody = "third", IfMatch = "\"0123456789abcdef0123456789abcdef\"" }));
        await FailsWith("NoSuchKey", HttpStatusCode.NotFound, () => s3.PutObjectAsync(new PutObjectRequest { BucketName = "cond", Key = "missing", ContentBody = "x", IfMatch = first.ETag }));
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = "cond", Key = "k", ContentBody = "replaced", IfMatch = first.ETag });

        Assert.Equal("replaced", await ReadAsync(s3, "k"));
        Assert.Equal("created", await ReadAsync(s3, "new"));
        await FailsWith("NoSuchKey", HttpStatusCode.NotFound, () => ReadAsync(s3, "missing"));
    }

    [Fact]
    public async Task CompleteMultipartUpload_completes_only_when_its_condition_holds_and_the_upload_survives_a_refusal()
    {
        using var s3 = _server.S3();
        await s3.PutBucketAsync("cond");
        await s3.PutObjectAsync(Put("k", "existing"));
        var upload = await s3.InitiateMultipartUploadAsync("cond", "k");
        var part = await s3.UploadPartAsync(new UploadPartRequest { BucketName = "cond", Key = "k", UploadId = upload.UploadId, PartNumber = 1, InputStream = new MemoryStream("multipart"u8.ToArray()) });
        CompleteMultipartUploadRequest Complete() => new() { BucketName = "cond", Key = "k", UploadId = upload.UploadId, PartETags = [new PartETag(1, part.ETag)] };

        var completeIfNew = Complete();
        completeIfNew.IfNoneMatch = "*";
        await FailsWith("PreconditionFailed", HttpStatusCode.PreconditionFailed, () => s3.CompleteMultipartUploadAsync(completeIfNew));
        Assert.Equal("existing", await ReadAsync(s3, "k"));

        var current = (await s3.GetObjectMetadataAsync("cond", "k")).ETag;
        var completeIfSame = Complete();
        completeIfSame.IfMatch = current;
        await s3.CompleteMultipartUploadAsync(completeIfSame);
        Assert.Equal("multipart", await ReadAsync(s3, "k"));
    }

    [Fact]
    public async Task A_multipart_upload_keeps_the_headers_and_tags_it_was_started_with()
    {
        var output = await Boto3.RunAsync(_server, TestServer.Alice, """
            s3.create_bucket(Bucket="mpbucket")
            upload = s3.create_multipart_upload(Bucket="mpbucket", Key="k", CacheControl="no-cache", ContentLanguage="fr",
                ContentDisposition="attachment", Tagging="team=storage&tier=cold", ContentType="application/x-image")["UploadId"]
            etag = s3.upload_part(Bucket="mpbucket", Key="k", UploadId=upload, PartNumber=1, Body=b"data")["ETag"]
            s3.complete_multipart_upload(Bucket="mpbucket", Key="k", UploadId=upload, MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
            head = s3.head_object(Bucket="mpbucket", Key="k")
            tags = sorted(t["Key"] + "=" + t["Value"] for t in s3.get_object_tagging(Bucket="mpbucket", Key="k")["TagSet"])
            print(json.dumps([head["CacheControl"], head["ContentLanguage"], head["ContentDisposition"], head["ContentType"], tags]))
            s3.copy_object(Bucket="mpbucket", Key="copy", CopySource={"Bucket": "mpbucket", "Key": "k"})
            copy = s3.head_object(Bucket="mpbucket", Key="copy")
            s3.copy_object(Bucket="mpbucket", Key="replaced", CopySource={"Bucket": "mpbucket", "Key": "k"}, MetadataDirective="REPLACE", CacheControl="max-age=1",
                TaggingDirective="REPLACE", Tagging="new=1")
            replaced = s3.head_object(Bucket="mpbucket", Key="replaced")
            print(json.dumps([copy["CacheControl"], replaced["CacheControl"], replaced.get("ContentLanguage"),
                [t["Key"] for t in s3.get_object_tagging(Bucket="mpbucket", Key="replaced")["TagSet"]]]))
            """ + "\n");
        var lines = output.Split('\n');
        Assert.Equal("""["no-cache", "fr", "attachment", "application/x-image", ["team=storage", "tier=cold"]]""", lines[0]);
        Assert.Equal("""["no-cache", "max-age=1", null, ["new"]]""", lines[1]);
    }
}
