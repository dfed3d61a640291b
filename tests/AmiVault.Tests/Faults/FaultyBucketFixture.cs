using AmiVault.Blocks;
using AmiVault.ObjectStore;
using AmiVault.Tests.Support;
using AmiVault.Tests.Tasks;

namespace AmiVault.Tests.Faults;

/// <summary>
/// A server whose buckets are external, reached through a <see cref="FaultProxy"/> in front of a second AmiVault
/// server's embedded S3 (a real S3 implementation, checked directly behind the proxy's back), with an image of
/// incompressible data large enough for a three-part upload, and one archive of it stored cleanly.
/// </summary>
public sealed class FaultyBucketFixture : IAsyncLifetime
{
    internal TestServer Backing { get; private set; } = null!;

    internal FaultProxy Proxy { get; private set; } = null!;

    internal TestServer Vault { get; private set; } = null!;

    internal string ImageId { get; private set; } = null!;

    internal SortedDictionary<long, byte[]> Blocks { get; private set; } = null!;

    /// <summary>A bucket holding <see cref="ArchiveKey"/>, the clean archive of <see cref="ImageId"/>.</summary>
    internal string ArchiveBucket { get; } = "faults-archive";

    internal string ArchiveKey { get; private set; } = null!;

    /// <summary>The buckets as they are behind the proxy: what really happened, not what a faulty answer said.</summary>
    internal IObjectStore Truth => ImageFixtures.Buckets(Backing);

    public async Task InitializeAsync()
    {
        Backing = await TestServer.StartAsync("us-east-1");
        Proxy = await FaultProxy.StartAsync(Backing.Endpoint);
        Vault = await TestServer.StartAsync("us-east-1", o =>
        {
            o.Buckets.Backend = "external";
            o.Buckets.EndpointUrl = Proxy.EndpointUrl;
            o.Buckets.AccessKeyId = TestServer.Alice.AccessKeyId;
            o.Buckets.SecretAccessKey = TestServer.Alice.SecretAccessKey;
        });

        // 40 blocks of noise (20 MiB) do not compress: the archive is three 8 MiB parts.
        var random = new Random(13);
        Blocks = new SortedDictionary<long, byte[]>(Enumerable.Range(0, 40).ToDictionary(i => (long)i * 5, _ =>
        {
            var block = new byte[IBlockStore.BlockSize];
            random.NextBytes(block);
            return block;
        }));
        ImageId = await ImageFixtures.ImageAsync(Vault, "faults source", blocks: Blocks);
        await ImageFixtures.BucketAsync(Backing, ArchiveBucket);
        ArchiveKey = await ImageFixtures.StoreAsync(Vault, ImageId, ArchiveBucket);
    }

    /// <summary>A new empty bucket (made behind the proxy's back).</summary>
    internal Task<string> NewBucketAsync(string prefix) => ImageFixtures.BucketAsync(Backing, prefix + "-" + Guid.NewGuid().ToString("N")[..10]);

    /// <summary>No object but <paramref name="allowed"/> and no unfinished upload in the bucket, as the real S3 sees it.</summary>
    internal async Task AssertNothingLeftAsync(string bucket, params string[] allowed)
    {
        var (objects, uploads) = await ImageFixtures.ContentsAsync(Backing, bucket);
        Assert.Empty(uploads);
        Assert.Empty(objects.Except(allowed));
    }

    public async Task DisposeAsync()
    {
        await Vault.DisposeAsync();
        await Proxy.DisposeAsync();
        await Backing.DisposeAsync();
    }
}
