using System.Security.Cryptography;
using AmiVault.Tests.Support;

namespace AmiVault.Tests.S3;

/// <summary>The AWS CLI moving data through the embedded S3 endpoint: multipart copies, ranges, listings, uploads.</summary>
[Trait("Category", TestCategories.Process)]
public sealed class S3CliTransferTests : S3CliTestBase
{
    [Fact]
    public async Task Cp_moves_a_100_MiB_file_in_multipart_both_ways_byte_exact_with_its_metadata()
    {
        var source = Path.Combine(Work, "image.raw");
        var back = Path.Combine(Work, "image.back");
        var data = RandomNumberGenerator.GetBytes(100 * 1024 * 1024);
        await File.WriteAllBytesAsync(source, data);

        await OkAsync("s3", "cp", source, "s3://cli-bucket/images/image.raw", "--metadata", "ami-name=my-image,ami-owner-account=111111111111");
        await OkAsync("s3", "cp", "s3://cli-bucket/images/image.raw", back);

        var downloaded = await File.ReadAllBytesAsync(back);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(data)), Convert.ToHexString(SHA256.HashData(downloaded)));
        var head = Json(await OkAsync("s3api", "head-object", "--bucket", "cli-bucket", "--key", "images/image.raw"));
        Assert.Equal(data.Length, head.GetProperty("ContentLength").GetInt64());
        Assert.Matches("^\"[0-9a-f]{32}-13\"$", head.GetProperty("ETag").GetString());
        Assert.Equal("my-image", head.GetProperty("Metadata").GetProperty("ami-name").GetString());
        Assert.Equal("111111111111", head.GetProperty("Metadata").GetProperty("ami-owner-account").GetString());

        var ranged = Path.Combine(Work, "range.bin");
        var range = Json(await OkAsync("s3api", "get-object", "--bucket", "cli-bucket", "--key", "images/image.raw", "--range", "bytes=8388600-8388615", ranged));
        Assert.Equal("bytes 8388600-8388615/104857600", range.GetProperty("ContentRange").GetString());
        Assert.Equal(data[8388600..8388616], await File.ReadAllBytesAsync(ranged));
    }

    [Fact]
    public async Task List_objects_v2_pages_through_every_key()
    {
        var folder = Path.Combine(Work, "logs");
        Directory.CreateDirectory(folder);
        for (var i = 0; i < 7; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(folder, $"part {i}.txt"), "small");
        }

        await OkAsync("s3", "cp", "--recursive", folder, "s3://cli-bucket/logs/");

        var all = Json(await OkAsync("s3api", "list-objects-v2", "--bucket", "cli-bucket", "--page-size", "2", "--query", "Contents[].Key"));
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"logs/part {i}.txt"), all.EnumerateArray().Select(k => k.GetString()));

        var first = Json(await OkAsync("s3api", "list-objects-v2", "--bucket", "cli-bucket", "--max-items", "3"));
        Assert.Equal(3, first.GetProperty("Contents").GetArrayLength());
        var token = first.GetProperty("NextToken").GetString()!;
        var rest = Json(await OkAsync("s3api", "list-objects-v2", "--bucket", "cli-bucket", "--starting-token", token));
        Assert.Equal(4, rest.GetProperty("Contents").GetArrayLength());
    }

    [Fact]
    public async Task A_multipart_upload_is_listed_until_it_is_aborted()
    {
        var created = Json(await OkAsync("s3api", "create-multipart-upload", "--bucket", "cli-bucket", "--key", "ami-1.bin"));
        var uploadId = created.GetProperty("UploadId").GetString()!;
        var part = Path.Combine(Work, "part.bin");
        await File.WriteAllBytesAsync(part, new byte[1000]);
        await OkAsync("s3api", "upload-part", "--bucket", "cli-bucket", "--key", "ami-1.bin", "--upload-id", uploadId, "--part-number", "1", "--body", part);

        var uploads = Json(await OkAsync("s3api", "list-multipart-uploads", "--bucket", "cli-bucket"));
        Assert.Equal(uploadId, Assert.Single(uploads.GetProperty("Uploads").EnumerateArray()).GetProperty("UploadId").GetString());
        var parts = Json(await OkAsync("s3api", "list-parts", "--bucket", "cli-bucket", "--key", "ami-1.bin", "--upload-id", uploadId));
        Assert.Equal(1000, Assert.Single(parts.GetProperty("Parts").EnumerateArray()).GetProperty("Size").GetInt64());

        await OkAsync("s3api", "abort-multipart-upload", "--bucket", "cli-bucket", "--key", "ami-1.bin", "--upload-id", uploadId);

        // With no uploads left the CLI prints nothing at all.
        var after = await OkAsync("s3api", "list-multipart-uploads", "--bucket", "cli-bucket");
        Assert.DoesNotContain(uploadId, after, StringComparison.Ordinal);
    }
}
