using Amazon.S3;
using Amazon.S3.Model;

namespace AmiVault.Tests.Cli;

/// <summary>Objects to copy, put with the AWS SDK as any S3 client would: multipart, with metadata and tags.</summary>
internal static class CopyTestObjects
{
    public const int PartSize = 8 << 20;

    public static readonly Dictionary<string, string> Metadata = new() { ["ami-name"] = "web-server", ["purpose"] = "cli-test" };

    public static readonly Dictionary<string, string> Tags = new() { ["team"] = "platform", ["stage"] = "gold" };

    public static byte[] Data(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    /// <summary>Uploads <paramref name="data"/> in parts of 8 MiB (the last shorter), then tags it.</summary>
    public static async Task<string> PutMultipartAsync(IAmazonS3 s3, string bucket, string key, byte[] data)
    {
        var start = new InitiateMultipartUploadRequest { BucketName = bucket, Key = key, ContentType = "application/octet-stream" };
        foreach (var (name, value) in Metadata)
        {
            start.Metadata.Add(name, value);
        }

        var uploadId = (await s3.InitiateMultipartUploadAsync(start)).UploadId;
        var parts = new List<PartETag>();
        for (var offset = 0; offset < data.Length; offset += PartSize)
        {
            var length = Math.Min(PartSize, data.Length - offset);
            var response = await s3.UploadPartAsync(new UploadPartRequest
            {
                BucketName = bucket,
                Key = key,
                UploadId = uploadId,
                PartNumber = parts.Count + 1,
                InputStream = new MemoryStream(data, offset, length),
                PartSize = length,
            });
            parts.Add(new PartETag(parts.Count + 1, response.ETag));
        }

        var completed = await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = uploadId, PartETags = parts });
        await s3.PutObjectTaggingAsync(new PutObjectTaggingRequest
        {
            BucketName = bucket,
            Key = key,
            Tagging = new Tagging { TagSet = [.. Tags.Select(t => new Tag { Key = t.Key, Value = t.Value })] },
        });
        return completed.ETag;
    }

    /// <summary>Checks that the object at <paramref name="key"/> holds <paramref name="data"/> with the test's metadata and tags.</summary>
    public static async Task AssertCopiedAsync(IAmazonS3 s3, string bucket, string key, byte[] data)
    {
        using var response = await s3.GetObjectAsync(bucket, key);
        using var copy = new MemoryStream();
        await response.ResponseStream.CopyToAsync(copy);
        Assert.True(data.AsSpan().SequenceEqual(copy.ToArray()), "the copy's bytes differ from the source's");
        foreach (var (name, value) in Metadata)
        {
            Assert.Equal(value, response.Metadata["x-amz-meta-" + name]);
        }

        var tags = (await s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = key })).Tagging;
        Assert.Equal(Tags.OrderBy(t => t.Key), tags.Select(t => KeyValuePair.Create(t.Key, t.Value)).OrderBy(t => t.Key));
    }
}
