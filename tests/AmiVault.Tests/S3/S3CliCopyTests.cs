using System.Security.Cryptography;

namespace AmiVault.Tests.S3;

/// <summary>
/// Server-side copies through the AWS CLI: `aws s3 cp` between keys (multipart copy, UploadPartCopy above the CLI's
/// 8 MiB threshold), upload-part-copy with ranges and its refusals, and get-object-attributes.
/// </summary>
public sealed class S3CliCopyTests : S3CliTestBase
{
    [Fact]
    public async Task Cp_between_keys_copies_a_20_MiB_object_part_by_part_byte_exact_with_its_metadata()
    {
        var source = Path.Combine(Work, "disk.raw");
        var data = RandomNumberGenerator.GetBytes(20 * 1024 * 1024 + 12345);
        await File.WriteAllBytesAsync(source, data);
        await OkAsync("s3", "cp", source, "s3://cli-bucket/images/disk.raw", "--metadata", "ami-name=golden");

        await OkAsync("s3", "cp", "s3://cli-bucket/images/disk.raw", "s3://cli-bucket/copies/disk copy+1.raw");

        var head = Json(await OkAsync("s3api", "head-object", "--bucket", "cli-bucket", "--key", "copies/disk copy+1.raw"));
        Assert.Equal(data.Length, head.GetProperty("ContentLength").GetInt64());
        Assert.Matches("^\"[0-9a-f]{32}-3\"$", head.GetProperty("ETag").GetString()); // three parts: copied part by part
        Assert.Equal("golden", head.GetProperty("Metadata").GetProperty("ami-name").GetString());
        var back = Path.Combine(Work, "disk.back");
        await OkAsync("s3", "cp", "s3://cli-bucket/copies/disk copy+1.raw", back);
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(await File.ReadAllBytesAsync(back)));
    }

    [Fact]
    public async Task Upload_part_copy_takes_ranges_of_sources_and_refuses_bad_ones_with_S3_codes()
    {
        var data = RandomNumberGenerator.GetBytes(6 * 1024 * 1024);
        var source = Path.Combine(Work, "source.bin");
        await File.WriteAllBytesAsync(source, data);
        await OkAsync("s3api", "put-object", "--bucket", "cli-bucket", "--key", "src/a b.bin", "--body", source);
        var uploadId = Json(await OkAsync("s3api", "create-multipart-upload", "--bucket", "cli-bucket", "--key", "joined.bin"))
            .GetProperty("UploadId").GetString()!;

        // Part 1: the whole source (the CLI URL-encodes the key); part 2: bytes 100..199 of it.
        var part1 = Json(await OkAsync("s3api", "upload-part-copy", "--bucket", "cli-bucket", "--key", "joined.bin", "--upload-id", uploadId,
            "--part-number", "1", "--copy-source", "cli-bucket/src/a b.bin"));
        var part2 = Json(await OkAsync("s3api", "upload-part-copy", "--bucket", "cli-bucket", "--key", "joined.bin", "--upload-id", uploadId,
            "--part-number", "2", "--copy-source", "cli-bucket/src/a b.bin", "--copy-source-range", "bytes=100-199"));
        var etag1 = part1.GetProperty("CopyPartResult").GetProperty("ETag").GetString()!;
        var etag2 = part2.GetProperty("CopyPartResult").GetProperty("ETag").GetString()!;
        Assert.Equal("\"" + Convert.ToHexStringLower(MD5.HashData(data)) + "\"", etag1);
        Assert.Equal("\"" + Convert.ToHexStringLower(MD5.HashData(data.AsSpan(100, 100))) + "\"", etag2);

        foreach (var (range, code) in new[] { ("bytes=-5", "InvalidArgument"), ("bytes=7-", "InvalidArgument"), ("bytes=9-3", "InvalidArgument"), ("items=0-1", "InvalidArgument"), ("bytes=0-6291456", "InvalidRange") })
        {
            var refused = await RunAsync("s3api", "upload-part-copy", "--bucket", "cli-bucket", "--key", "joined.bin", "--upload-id", uploadId,
                "--part-number", "3", "--copy-source", "cli-bucket/src/a b.bin", "--copy-source-range", range);
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains($"({code})", refused.Stderr);
        }

        var stale = await RunAsync("s3api", "upload-part-copy", "--bucket", "cli-bucket", "--key", "joined.bin", "--upload-id", uploadId,
            "--part-number", "3", "--copy-source", "cli-bucket/src/a b.bin", "--copy-source-if-match", "\"0123456789abcdef0123456789abcdef\"");
        Assert.Contains("(PreconditionFailed)", stale.Stderr);
        var missing = await RunAsync("s3api", "upload-part-copy", "--bucket", "cli-bucket", "--key", "joined.bin", "--upload-id", uploadId,
            "--part-number", "3", "--copy-source", "cli-bucket/src/nothing");
        Assert.Contains("(NoSuchKey)", missing.Stderr);

        var parts = Path.Combine(Work, "parts.json");
        await File.WriteAllTextAsync(parts, $$"""{"Parts":[{"PartNumber":1,"ETag":{{System.Text.Json.JsonSerializer.Serialize(etag1)}}},{"PartNumber":2,"ETag":{{System.Text.Json.JsonSerializer.Serialize(etag2)}}}]}""");
        await OkAsync("s3api", "complete-multipart-upload", "--bucket", "cli-bucket", "--key", "joined.bin", "--upload-id", uploadId, "--multipart-upload", "file://" + parts);

        var joined = Path.Combine(Work, "joined.back");
        await OkAsync("s3", "cp", "s3://cli-bucket/joined.bin", joined);
        var joinedBytes = await File.ReadAllBytesAsync(joined);
        Assert.Equal([.. data, .. data[100..200]], joinedBytes);

        var attributes = Json(await OkAsync("s3api", "get-object-attributes", "--bucket", "cli-bucket", "--key", "joined.bin",
            "--object-attributes", "ETag", "ObjectParts", "ObjectSize", "StorageClass"));
        Assert.Equal(data.Length + 100, attributes.GetProperty("ObjectSize").GetInt64());
        Assert.Equal("STANDARD", attributes.GetProperty("StorageClass").GetString());
        Assert.EndsWith("-2", attributes.GetProperty("ETag").GetString());
        var objectParts = attributes.GetProperty("ObjectParts");
        Assert.Equal(2, objectParts.GetProperty("TotalPartsCount").GetInt32());
        Assert.Equal([data.Length, 100L], objectParts.GetProperty("Parts").EnumerateArray().Select(p => p.GetProperty("Size").GetInt64()));

        var page = Json(await OkAsync("s3api", "get-object-attributes", "--bucket", "cli-bucket", "--key", "joined.bin",
            "--object-attributes", "ObjectParts", "--max-parts", "1"));
        Assert.True(page.GetProperty("ObjectParts").GetProperty("IsTruncated").GetBoolean());
        Assert.Single(page.GetProperty("ObjectParts").GetProperty("Parts").EnumerateArray());

        var unknown = await RunAsync("s3api", "get-object-attributes", "--bucket", "cli-bucket", "--key", "joined.bin", "--object-attributes", "Colour");
        Assert.Contains("(InvalidArgument)", unknown.Stderr);
    }
}
