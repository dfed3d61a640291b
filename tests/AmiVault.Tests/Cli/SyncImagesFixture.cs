using AmiVault.Tests.Support;
using AmiVault.Tests.Tasks;
using Amazon.S3;
using Amazon.S3.Model;

namespace AmiVault.Tests.Cli;

/// <summary>
/// Two servers standing for two partitions, each with its own account and keys: us-east-2 (Alice) holding eight real
/// stored images in s3://golden (CreateStoreImageTask), and us-gov-east-1 (Bob) to sync them to.
/// </summary>
public sealed class SyncImagesFixture : IAsyncLifetime
{
    public const string SourceBucket = "golden";

    internal TestServer East { get; private set; } = null!;

    internal TestServer Gov { get; private set; } = null!;

    internal AmazonS3Client EastS3 { get; private set; } = null!;

    internal AmazonS3Client GovS3 { get; private set; } = null!;

    /// <summary>The stored images: image ID, its name, and the key of its archive in <see cref="SourceBucket"/>.</summary>
    public List<(string ImageId, string Name, string Key)> Images { get; } = [];

    public async Task InitializeAsync()
    {
        East = await TestServer.StartAsync("us-east-2");
        Gov = await TestServer.StartAsync("us-gov-east-1");
        EastS3 = East.S3(TestServer.Alice);
        GovS3 = Gov.S3(TestServer.Bob);
        await EastS3.PutBucketAsync(new PutBucketRequest { BucketName = SourceBucket, BucketRegionName = East.Region });
        for (var n = 1; n <= 8; n++)
        {
            Images.Add(await StoreImageAsync(n <= 4 ? $"web-{n}" : $"db-{n}", n));
        }
    }

    /// <summary>An image of one generated snapshot, stored as s3://golden/&lt;ami&gt;.bin.</summary>
    internal async Task<(string ImageId, string Name, string Key)> StoreImageAsync(string name, int seed)
    {
        var imageId = await ImageFixtures.ImageAsync(East, name, blocks: ImageFixtures.MixedBlocks(seed));
        var key = await ImageFixtures.StoreAsync(East, imageId, SourceBucket);
        return (imageId, name, key);
    }

    internal async Task<string> GovBucketAsync(string name)
    {
        await GovS3.PutBucketAsync(new PutBucketRequest { BucketName = name, BucketRegionName = Gov.Region });
        return name;
    }

    internal static async Task<byte[]> BytesAsync(IAmazonS3 s3, string bucket, string key)
    {
        using var response = await s3.GetObjectAsync(bucket, key);
        using var copy = new MemoryStream();
        await response.ResponseStream.CopyToAsync(copy);
        return copy.ToArray();
    }

    internal static async Task<List<string>> KeysAsync(IAmazonS3 s3, string bucket, string prefix = "") =>
        [.. ((await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = prefix })).S3Objects ?? []).Select(o => o.Key).Order(StringComparer.Ordinal)];

    public async Task DisposeAsync()
    {
        EastS3.Dispose();
        GovS3.Dispose();
        await East.DisposeAsync();
        await Gov.DisposeAsync();
    }
}
