using AmiVault.Configuration;
using AmiVault.ObjectStore;
using AmiVault.ObjectStore.External;
using AmiVault.Tests.Support;

namespace AmiVault.Tests.Blocks;

/// <summary>
/// `amivault serve` with its blocks in a Ceph RGW bucket, killed with SIGKILL while 16 clients write blocks: every
/// acknowledged block is there after a restart whose local block folder (the read cache) is gone too.
/// </summary>
[Collection(CephCollection.Name)]
public sealed class S3BlockStoreKillTests(CephRgwFixture ceph)
{
    [Fact]
    public async Task A_server_on_S3_killed_during_concurrent_PutSnapshotBlock_keeps_every_acknowledged_block_without_its_local_block_folder()
    {
        var bucket = "amivault-kill-" + Guid.NewGuid().ToString("N")[..12];
        var environment = new Dictionary<string, string>
        {
            ["AMIVAULT_BLOCKS__BACKEND"] = BlockOptions.S3,
            ["AMIVAULT_BLOCKS__ENDPOINTURL"] = ceph.EndpointUrl,
            ["AMIVAULT_BLOCKS__BUCKET"] = bucket,
            ["AMIVAULT_BLOCKS__ACCESSKEYID"] = ceph.AccessKey,
            ["AMIVAULT_BLOCKS__SECRETACCESSKEY"] = ceph.SecretKey,
        };

        try
        {
            await BlockStoreKillTests.KillDuringConcurrentPutsAsync(
                environment,
                o =>
                {
                    o.Blocks.Backend = BlockOptions.S3;
                    o.Blocks.EndpointUrl = ceph.EndpointUrl;
                    o.Blocks.Bucket = bucket;
                    o.Blocks.AccessKeyId = ceph.AccessKey;
                    o.Blocks.SecretAccessKey = ceph.SecretKey;
                },
                dataDir => Directory.Delete(Path.Combine(dataDir, "blocks"), recursive: true));
        }
        finally
        {
            await RemoveBucketAsync(bucket);
        }
    }

    private async Task RemoveBucketAsync(string bucket)
    {
        using var provider = new ExternalObjectStoreProvider(
            new BucketOptions { Backend = "external", EndpointUrl = ceph.EndpointUrl, AccessKeyId = ceph.AccessKey, SecretAccessKey = ceph.SecretKey }, "us-east-1");
        var s3 = provider.ForAccount("test");
        for (var listing = await s3.ListObjectsAsync(bucket, new ListObjectsQuery()); listing.Objects.Count > 0; listing = await s3.ListObjectsAsync(bucket, new ListObjectsQuery()))
        {
            foreach (var o in listing.Objects)
            {
                await s3.DeleteObjectAsync(bucket, o.Key);
            }
        }

        await s3.DeleteBucketAsync(bucket);
    }
}
