using System.Net;
using AmiVault.Tests.Support;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.S3.Model;

namespace AmiVault.Tests.Hosting;

/// <summary>/healthz, /readyz and /metrics: unsigned GETs as probes and Prometheus send them, on the API port.</summary>
public sealed class OperationsEndpointTests
{
    [Fact]
    public async Task Health_and_readiness_answer_unsigned_and_readiness_fails_when_the_block_store_is_gone()
    {
        await using var server = await TestServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.Endpoint };
        var health = await http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("ok\n", await health.Content.ReadAsStringAsync());
        var ready = await http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("ready\n", await ready.Content.ReadAsStringAsync());

        // The volume of the blocks unmounted under the server.
        Directory.Delete(Path.Combine(server.DataDir, "blocks", "packs"), recursive: true);
        var notReady = await http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.StartsWith("blocks: ", await notReady.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task Metrics_count_requests_by_protocol_action_and_status_and_show_tasks_in_progress()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["self"] });
        await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["self"] });
        await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.DeregisterImageAsync(new DeregisterImageRequest { ImageId = "ami-0123456789abcdef0" }));

        // A signed request for a bucket named "metrics" is S3's, not a scrape.
        using var s3 = server.S3();
        await s3.PutBucketAsync("metrics");
        await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "metrics" });

        using var http = new HttpClient { BaseAddress = server.Endpoint };
        var response = await http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain; version=0.0.4", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("amivault_requests_total{protocol=\"ec2\",action=\"DescribeImages\",status=\"2xx\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("amivault_requests_total{protocol=\"ec2\",action=\"DeregisterImage\",status=\"4xx\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("amivault_requests_total{protocol=\"s3\",action=\"ListObjectsV2\",status=\"2xx\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("amivault_request_duration_seconds_bucket{protocol=\"ec2\",action=\"DescribeImages\",status=\"2xx\",le=\"+Inf\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("amivault_request_duration_seconds_count{protocol=\"ec2\",action=\"DescribeImages\",status=\"2xx\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("amivault_tasks_in_progress{kind=\"store\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE amivault_request_duration_seconds histogram\n", text, StringComparison.Ordinal);
    }
}
