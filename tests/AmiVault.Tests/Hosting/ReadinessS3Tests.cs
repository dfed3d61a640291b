using System.Net;
using AmiVault.Configuration;
using AmiVault.ObjectStore;
using AmiVault.Tests.Faults;
using AmiVault.Tests.Support;

namespace AmiVault.Tests.Hosting;

/// <summary>
/// /readyz of a node whose blocks and buckets are on S3 (Ceph RGW, reached through a proxy the test can take away):
/// ready while S3 answers, not ready with a reason per store once the port refuses connections, while /healthz
/// still says the process serves.
/// </summary>
[Collection(CephCollection.Name)]
[Trait("Category", TestCategories.Ceph)]
public sealed class ReadinessS3Tests(CephRgwFixture ceph)
{
    [Fact]
    public async Task Readiness_fails_with_a_reason_for_the_block_store_and_the_buckets_when_S3_refuses_connections()
    {
        var blocksBucket = "ready-blocks-" + Guid.NewGuid().ToString("N")[..12];
        var proxy = await FaultProxy.StartAsync(new Uri(ceph.EndpointUrl));
        var proxyGone = false;
        try
        {
            await using var server = await TestServer.StartAsync("us-east-1", o =>
            {
                o.Buckets.Backend = "external";
                o.Buckets.EndpointUrl = proxy.EndpointUrl;
                o.Buckets.AccessKeyId = ceph.AccessKey;
                o.Buckets.SecretAccessKey = ceph.SecretKey;
                o.Blocks.Backend = BlockOptions.S3;
                o.Blocks.EndpointUrl = proxy.EndpointUrl;
                o.Blocks.Bucket = blocksBucket;
                o.Blocks.AccessKeyId = ceph.AccessKey;
                o.Blocks.SecretAccessKey = ceph.SecretKey;
            });
            using var http = new HttpClient { BaseAddress = server.Endpoint, Timeout = TimeSpan.FromSeconds(60) };
            var ready = await http.GetAsync("/readyz");
            Assert.True(ready.StatusCode == HttpStatusCode.OK, await ready.Content.ReadAsStringAsync());
            Assert.Contains(proxy.Requests, r => r.Method == "HEAD" && r.PathAndQuery.StartsWith("/" + blocksBucket, StringComparison.Ordinal));

            // The S3 endpoint goes away: its port now refuses connections.
            await proxy.DisposeAsync();
            proxyGone = true;
            var notReady = await http.GetAsync("/readyz");
            var reasons = (await notReady.Content.ReadAsStringAsync()).TrimEnd('\n').Split('\n');
            Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
            Assert.Equal(2, reasons.Length);
            Assert.StartsWith($"blocks: s3://{blocksBucket}/packs/ ", reasons[0], StringComparison.Ordinal);
            Assert.StartsWith("buckets: ", reasons[1], StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        }
        finally
        {
            if (!proxyGone)
            {
                await proxy.DisposeAsync();
            }

            await DeleteBucketAsync(blocksBucket);
        }
    }

    private async Task DeleteBucketAsync(string bucket)
    {
        using var provider = new AmiVault.ObjectStore.External.ExternalObjectStoreProvider(
            new BucketOptions { Backend = "external", EndpointUrl = ceph.EndpointUrl, AccessKeyId = ceph.AccessKey, SecretAccessKey = ceph.SecretKey }, "us-east-1");
        var s3 = provider.ForAccount("test");
        try
        {
            await s3.DeleteBucketAsync(bucket); // the block store wrote nothing into it
        }
        catch (AmiVault.ObjectStore.ObjectStoreException e) when (e.Code == "NoSuchBucket")
        {
        }
    }
}
