using System.Net;
using AmiVault.Tests.Support;

namespace AmiVault.Tests.S3;

/// <summary>The AWS CLI storing and reading object headers, conditions, listing edge cases and presigned URLs (issue 15).</summary>
public sealed class S3CliObjectHeaderTests : S3CliTestBase
{
    [Fact]
    public async Task Standard_headers_are_stored_returned_and_overridden_per_request()
    {
        var file = Path.Combine(Work, "page.html.gz");
        await File.WriteAllTextAsync(file, "not really gzip");
        await OkAsync(
            "s3api", "put-object", "--bucket", "cli-bucket", "--key", "page", "--body", file, "--content-type", "text/html",
            "--cache-control", "max-age=3600", "--content-disposition", "attachment; filename=\"page.html\"",
            "--content-encoding", "gzip", "--content-language", "de-DE", "--expires", "2030-01-01T00:00:00Z");

        var head = Json(await OkAsync("s3api", "head-object", "--bucket", "cli-bucket", "--key", "page"));
        Assert.Equal("max-age=3600", head.GetProperty("CacheControl").GetString());
        Assert.Equal("attachment; filename=\"page.html\"", head.GetProperty("ContentDisposition").GetString());
        Assert.Equal("gzip", head.GetProperty("ContentEncoding").GetString());
        Assert.Equal("de-DE", head.GetProperty("ContentLanguage").GetString());
        Assert.StartsWith("2030-01-01T00:00:00", head.GetProperty("Expires").GetString(), StringComparison.Ordinal);

        var got = Json(await OkAsync(
            "s3api", "get-object", "--bucket", "cli-bucket", "--key", "page", "--response-content-type", "text/plain",
            "--response-cache-control", "no-store", "--response-content-disposition", "inline", Path.Combine(Work, "page.back")));
        Assert.Equal("text/plain", got.GetProperty("ContentType").GetString());
        Assert.Equal("no-store", got.GetProperty("CacheControl").GetString());
        Assert.Equal("inline", got.GetProperty("ContentDisposition").GetString());
        Assert.Equal("de-DE", got.GetProperty("ContentLanguage").GetString());
    }

    [Fact]
    public async Task Conditional_reads_answer_304_and_412_by_ETag_and_date()
    {
        var file = Path.Combine(Work, "c.txt");
        await File.WriteAllTextAsync(file, "conditional");
        var etag = Json(await OkAsync("s3api", "put-object", "--bucket", "cli-bucket", "--key", "c", "--body", file)).GetProperty("ETag").GetString()!;
        var back = Path.Combine(Work, "c.back");

        Assert.Contains("(304)", (await RunAsync("s3api", "get-object", "--bucket", "cli-bucket", "--key", "c", "--if-none-match", etag, back)).Stderr, StringComparison.Ordinal);
        Assert.Contains("(304)", (await RunAsync("s3api", "get-object", "--bucket", "cli-bucket", "--key", "c", "--if-modified-since", "2100-01-01T00:00:00Z", back)).Stderr, StringComparison.Ordinal);
        Assert.Contains("PreconditionFailed", (await RunAsync("s3api", "get-object", "--bucket", "cli-bucket", "--key", "c", "--if-unmodified-since", "2000-01-01T00:00:00Z", back)).Stderr, StringComparison.Ordinal);
        Assert.Contains("PreconditionFailed", (await RunAsync("s3api", "get-object", "--bucket", "cli-bucket", "--key", "c", "--if-match", "\"0123\"", back)).Stderr, StringComparison.Ordinal);

        // If-Match holds, so If-Unmodified-Since is not looked at; If-Modified-Since in the past lets the read through.
        await OkAsync("s3api", "get-object", "--bucket", "cli-bucket", "--key", "c", "--if-match", etag, "--if-unmodified-since", "2000-01-01T00:00:00Z", back);
        await OkAsync("s3api", "get-object", "--bucket", "cli-bucket", "--key", "c", "--if-modified-since", "2000-01-01T00:00:00Z", back);
        Assert.Equal("conditional", await File.ReadAllTextAsync(back));
    }

    [Fact]
    public async Task Listing_edge_cases_and_a_bucket_made_twice_behave_as_in_S3()
    {
        var file = Path.Combine(Work, "x.txt");
        await File.WriteAllTextAsync(file, "x");
        await OkAsync("s3api", "put-object", "--bucket", "cli-bucket", "--key", "a", "--body", file);
        await OkAsync("s3api", "put-object", "--bucket", "cli-bucket", "--key", "b", "--body", file);

        var none = Json(await OkAsync("s3api", "list-objects-v2", "--bucket", "cli-bucket", "--max-keys", "0", "--no-paginate"));
        Assert.Equal(0, none.GetProperty("KeyCount").GetInt32());
        Assert.False(none.GetProperty("IsTruncated").GetBoolean());
        Assert.False(none.TryGetProperty("Contents", out _));

        var empty = Json(await OkAsync("s3api", "list-objects-v2", "--bucket", "cli-bucket", "--continuation-token", "", "--no-paginate"));
        Assert.Equal(2, empty.GetProperty("Contents").GetArrayLength());
        Assert.Equal("", empty.GetProperty("ContinuationToken").GetString());

        // The test server is in us-east-1, where S3 answers its owner's repeated CreateBucket with success.
        await OkAsync("s3api", "create-bucket", "--bucket", "cli-bucket");
        var taken = await AwsCli.RunAsync(Server, TestServer.Bob, null, "s3api", "create-bucket", "--bucket", "cli-bucket");
        Assert.Equal("BucketAlreadyExists", taken.ErrorCode);
    }

    [Fact]
    public async Task An_expired_presigned_URL_is_refused_with_Request_has_expired()
    {
        var file = Path.Combine(Work, "p.txt");
        await File.WriteAllTextAsync(file, "presigned");
        await OkAsync("s3api", "put-object", "--bucket", "cli-bucket", "--key", "p", "--body", file);
        var fresh = (await OkAsync("s3", "presign", "s3://cli-bucket/p", "--expires-in", "600")).Trim();
        var expiring = (await OkAsync("s3", "presign", "s3://cli-bucket/p", "--expires-in", "1")).Trim();
        await Task.Delay(TimeSpan.FromSeconds(2.5));

        using var http = new HttpClient();
        Assert.Equal("presigned", await http.GetStringAsync(fresh));
        using var expired = await http.GetAsync(expiring);
        Assert.Equal(HttpStatusCode.Forbidden, expired.StatusCode);
        var body = await expired.Content.ReadAsStringAsync();
        Assert.Contains("<Code>AccessDenied</Code>", body, StringComparison.Ordinal);
        Assert.Contains("<Message>Request has expired</Message>", body, StringComparison.Ordinal);
    }
}
