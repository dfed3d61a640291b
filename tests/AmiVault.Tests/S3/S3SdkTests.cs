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
        var e = await Assert.ThrowsAsync<AmazonS3Exception>(action);
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
}
