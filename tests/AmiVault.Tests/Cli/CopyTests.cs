using AmiVault.Tests.Faults;
using AmiVault.Tests.Support;
using Amazon.S3;
using Amazon.S3.Model;

namespace AmiVault.Tests.Cli;

/// <summary>`amivault copy` between two servers standing for two partitions, with different accounts and keys.</summary>
public sealed class CopyTests : IAsyncLifetime
{
    private readonly AmivaultCli _cli = new();
    private TestServer _east = null!;
    private TestServer _gov = null!;
    private AmazonS3Client _eastS3 = null!;
    private AmazonS3Client _govS3 = null!;

    public async Task InitializeAsync()
    {
        _east = await TestServer.StartAsync("us-east-2");
        _gov = await TestServer.StartAsync("us-gov-east-1");
        _eastS3 = _east.S3(TestServer.Alice);
        _govS3 = _gov.S3(TestServer.Bob);
        await _eastS3.PutBucketAsync(new PutBucketRequest { BucketName = "images-east", BucketRegionName = _east.Region });
        await _govS3.PutBucketAsync(new PutBucketRequest { BucketName = "images-gov", BucketRegionName = _gov.Region });
        _cli.Profile("east", TestServer.Alice, _east).Profile("gov", TestServer.Bob, _gov);
    }

    [Fact]
    public async Task A_copy_between_two_endpoints_with_different_keys_is_byte_exact_with_metadata_tags_and_the_same_etag()
    {
        var data = CopyTestObjects.Data((5 * CopyTestObjects.PartSize) + (3 << 20), seed: 1);
        var sourceETag = await CopyTestObjects.PutMultipartAsync(_eastS3, "images-east", "ami-0123.bin", data);

        var result = (await _cli.RunAsync("copy", "s3://images-east/ami-0123.bin", "s3://images-gov/", "--source-profile", "east", "--dest-profile", "gov")).EnsureSuccess();

        Assert.Equal("s3://images-gov/ami-0123.bin", result.String("Destination"));
        Assert.Equal(6, result.Number("Parts"));
        Assert.Equal(6, result.Number("PartsSent"));
        Assert.True(result.Json.GetProperty("SameETag").GetBoolean());
        Assert.Equal(sourceETag, (await _govS3.GetObjectMetadataAsync("images-gov", "ami-0123.bin")).ETag);
        // Printed as the AWS CLI prints an ETag ("\"…\""), with counts that say what they count.
        Assert.Contains($"\"DestinationETag\": \"{sourceETag.Replace("\"", "\\\"", StringComparison.Ordinal)}\"", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u0022", result.Stdout, StringComparison.Ordinal);
        Assert.True(result.Number("MetadataKeys") >= 0);
        Assert.False(result.Json.TryGetProperty("Metadata", out _));
        await CopyTestObjects.AssertCopiedAsync(_govS3, "images-gov", "ami-0123.bin", data);
        Assert.False(Directory.Exists(_cli.StateDirectory) && Directory.EnumerateFiles(_cli.StateDirectory).Any());
    }

    [Fact]
    public async Task An_interrupted_copy_resumes_and_sends_only_the_missing_parts()
    {
        var data = CopyTestObjects.Data(6 * CopyTestObjects.PartSize, seed: 2);
        await CopyTestObjects.PutMultipartAsync(_eastS3, "images-east", "ami-resume.bin", data);
        await using var proxy = await FaultProxy.StartAsync(_gov.Endpoint);
        _cli.Profile("gov-proxy", TestServer.Bob.AccessKeyId, TestServer.Bob.SecretAccessKey, _gov.Region, proxy.EndpointUrl);
        string[] copy = ["copy", "s3://images-east/ami-resume.bin", "s3://images-gov/ami-resume.bin", "--source-profile", "east", "--dest-profile", "gov-proxy", "--parallel", "2"];

        // The first run gets 3 parts through; the next ones are held until Ctrl-C.
        var allowed = 3;
        proxy.Hold = r => FaultProxy.IsUploadPart(r.Method, r.Path + r.QueryString) && Interlocked.Decrement(ref allowed) < 0;
        using var interrupt = new CancellationTokenSource();
        var first = _cli.RunAsync(interrupt.Token, copy);
        await WaitUntilAsync(() => proxy.Held == 2, () => $"held {proxy.Held}; requests: {string.Join(", ", proxy.Requests)}; run: {(first.IsCompleted ? first.Result.ToString() : "running")}");
        await interrupt.CancelAsync();
        var interrupted = await first;

        Assert.Equal(130, interrupted.ExitCode);
        Assert.Contains("run the same command again to resume", interrupted.Stderr, StringComparison.Ordinal);
        Assert.Contains($"--endpoint-url {proxy.EndpointUrl} --region {_gov.Region} --profile gov-proxy", interrupted.Stderr, StringComparison.Ordinal);
        Assert.Equal(3, proxy.CountReached(FaultProxy.IsUploadPart));
        await Assert.ThrowsAsync<AmazonS3Exception>(() => _govS3.GetObjectMetadataAsync("images-gov", "ami-resume.bin"));

        proxy.Hold = _ => false;
        var resumed = (await _cli.RunAsync(copy)).EnsureSuccess();

        Assert.Contains("3 of 6 parts are already there", resumed.Stderr, StringComparison.Ordinal);
        Assert.Equal(3, resumed.Number("PartsResumed"));
        Assert.Equal(3, resumed.Number("PartsSent"));
        Assert.Equal(6, proxy.CountReached(FaultProxy.IsUploadPart));
        await CopyTestObjects.AssertCopiedAsync(_govS3, "images-gov", "ami-resume.bin", data);
        Assert.Empty((await _govS3.ListMultipartUploadsAsync("images-gov")).MultipartUploads ?? []);
    }

    [Fact]
    public async Task A_source_replaced_during_the_copy_fails_it_instead_of_mixing_two_versions()
    {
        var data = CopyTestObjects.Data(3 * CopyTestObjects.PartSize, seed: 3);
        await CopyTestObjects.PutMultipartAsync(_eastS3, "images-east", "ami-moving.bin", data);
        await using var proxy = await FaultProxy.StartAsync(_east.Endpoint);
        _cli.Profile("east-proxy", TestServer.Alice.AccessKeyId, TestServer.Alice.SecretAccessKey, _east.Region, proxy.EndpointUrl);
        var replaced = 0;
        proxy.Hold = r =>
        {
            if (r.Method == "GET" && r.Headers.Range.Count > 0 && Interlocked.Exchange(ref replaced, 1) == 0)
            {
                _eastS3.PutObjectAsync(new PutObjectRequest { BucketName = "images-east", Key = "ami-moving.bin", ContentBody = "a new version" }).GetAwaiter().GetResult();
            }

            return false;
        };

        var result = await _cli.RunAsync("copy", "s3://images-east/ami-moving.bin", "s3://images-gov/ami-moving.bin", "--source-profile", "east-proxy", "--dest-profile", "gov");

        Assert.Equal(254, result.ExitCode);
        Assert.Contains("PreconditionFailed", result.Stderr, StringComparison.Ordinal);
        await Assert.ThrowsAsync<AmazonS3Exception>(() => _govS3.GetObjectMetadataAsync("images-gov", "ami-moving.bin"));
    }

    [Fact]
    public async Task A_small_object_is_copied_in_one_put_and_keeps_its_md5_etag()
    {
        var data = CopyTestObjects.Data(100_000, seed: 4);
        var put = await _eastS3.PutObjectAsync(new PutObjectRequest { BucketName = "images-east", Key = "notes/readme.bin", InputStream = new MemoryStream(data) });

        var result = (await _cli.RunAsync("copy", "s3://images-east/notes/readme.bin", "s3://images-gov/copied.bin", "--source-profile", "east", "--dest-profile", "gov", "--output", "text")).EnsureSuccess();

        Assert.Contains("s3://images-gov/copied.bin", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(put.ETag, (await _govS3.GetObjectMetadataAsync("images-gov", "copied.bin")).ETag);
    }

    [Fact]
    public async Task A_copy_into_a_bucket_that_does_not_exist_says_so_with_exit_254()
    {
        await _eastS3.PutObjectAsync(new PutObjectRequest { BucketName = "images-east", Key = "x.bin", ContentBody = "x" });

        var result = await _cli.RunAsync("copy", "s3://images-east/x.bin", "s3://no-such-bucket/x.bin", "--source-profile", "east", "--dest-profile", "gov");

        Assert.Equal(254, result.ExitCode);
        Assert.Contains("NoSuchBucket", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("aws s3 mb", result.Stderr, StringComparison.Ordinal);
    }

    public async Task DisposeAsync()
    {
        _eastS3.Dispose();
        _govS3.Dispose();
        await _east.DisposeAsync();
        await _gov.DisposeAsync();
        _cli.Dispose();
    }

    private static async Task WaitUntilAsync(Func<bool> condition, Func<string> state)
    {
        for (var waited = 0; !condition(); waited += 20)
        {
            Assert.True(waited < 30_000, $"the condition did not come true within 30 s: {state()}");
            await Task.Delay(20);
        }
    }
}
