using AmiVault.ObjectStore.External;
using AmiVault.Tests.Support;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace AmiVault.Tests.Cli;

/// <summary>`amivault copy` to and from a real Ceph RGW, with the client settings third-party S3 needs.</summary>
[Trait("Category", TestCategories.Ceph)]
[Collection(CephCollection.Name)]
public sealed class CephCopyTests(CephRgwFixture ceph) : IAsyncLifetime
{
    private readonly AmivaultCli _cli = new();
    private readonly string _cephBucket = "amivault-cli-" + Guid.NewGuid().ToString("N")[..12];
    private TestServer _server = null!;
    private AmazonS3Client _serverS3 = null!;
    private AmazonS3Client _cephS3 = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync("us-east-2");
        _serverS3 = _server.S3(TestServer.Alice);
        _cephS3 = ExternalS3Clients.Create(new BasicAWSCredentials(ceph.AccessKey, ceph.SecretKey), "us-east-1", ceph.EndpointUrl);
        await _serverS3.PutBucketAsync(new PutBucketRequest { BucketName = "images", BucketRegionName = _server.Region });
        await _cephS3.PutBucketAsync(_cephBucket);
        _cli.Profile("amivault", TestServer.Alice, _server).Profile("ceph", ceph.AccessKey, ceph.SecretKey, "us-east-1", ceph.EndpointUrl);
    }

    [Fact]
    public async Task An_object_copied_to_ceph_and_back_is_byte_exact_with_metadata_and_tags()
    {
        var data = CopyTestObjects.Data((2 * CopyTestObjects.PartSize) + 12345, seed: 7);
        var sourceETag = await CopyTestObjects.PutMultipartAsync(_serverS3, "images", "ami-ceph.bin", data);

        var there = (await _cli.RunAsync("copy", "s3://images/ami-ceph.bin", $"s3://{_cephBucket}/stored/ami-ceph.bin", "--source-profile", "amivault", "--dest-profile", "ceph")).EnsureSuccess();
        Assert.True(there.Json.GetProperty("SameETag").GetBoolean());
        Assert.Equal(sourceETag, (await _cephS3.GetObjectMetadataAsync(_cephBucket, "stored/ami-ceph.bin")).ETag);
        await CopyTestObjects.AssertCopiedAsync(_cephS3, _cephBucket, "stored/ami-ceph.bin", data);

        var back = (await _cli.RunAsync("copy", $"s3://{_cephBucket}/stored/ami-ceph.bin", "s3://images/back.bin", "--source-profile", "ceph", "--dest-profile", "amivault")).EnsureSuccess();
        Assert.Equal(3, back.Number("Parts"));
        await CopyTestObjects.AssertCopiedAsync(_serverS3, "images", "back.bin", data);
    }

    public async Task DisposeAsync()
    {
        var listing = await _cephS3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _cephBucket });
        foreach (var item in listing.S3Objects ?? [])
        {
            await _cephS3.DeleteObjectAsync(_cephBucket, item.Key);
        }

        await _cephS3.DeleteBucketAsync(_cephBucket);
        _cephS3.Dispose();
        _serverS3.Dispose();
        await _server.DisposeAsync();
        _cli.Dispose();
    }
}
