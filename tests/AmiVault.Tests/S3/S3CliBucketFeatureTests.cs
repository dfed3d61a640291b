using AmiVault.Tests.Support;

namespace AmiVault.Tests.S3;

/// <summary>The AWS CLI using tags, encryption at rest and ownership on the embedded S3 endpoint, and reading its errors.</summary>
[Trait("Category", TestCategories.Process)]
public sealed class S3CliBucketFeatureTests : S3CliTestBase
{
    [Fact]
    public async Task Tags_are_set_on_put_replaced_and_read()
    {
        var file = Path.Combine(Work, "tagged.txt");
        await File.WriteAllTextAsync(file, "tagged");
        await OkAsync("s3api", "put-object", "--bucket", "cli-bucket", "--key", "tagged", "--body", file, "--tagging", "team=storage&tier=cold");

        var tags = Json(await OkAsync("s3api", "get-object-tagging", "--bucket", "cli-bucket", "--key", "tagged")).GetProperty("TagSet");
        Assert.Equal(["team=storage", "tier=cold"], tags.EnumerateArray().Select(t => $"{t.GetProperty("Key").GetString()}={t.GetProperty("Value").GetString()}").Order());

        await OkAsync("s3api", "put-object-tagging", "--bucket", "cli-bucket", "--key", "tagged", "--tagging", "TagSet=[{Key=owner,Value=ops}]");
        var replaced = Json(await OkAsync("s3api", "get-object-tagging", "--bucket", "cli-bucket", "--key", "tagged")).GetProperty("TagSet");
        Assert.Equal("ops", Assert.Single(replaced.EnumerateArray()).GetProperty("Value").GetString());
    }

    [Fact]
    public async Task Server_side_encryption_is_requested_by_flag_or_bucket_default_and_reported()
    {
        var file = Path.Combine(Work, "secret.txt");
        await File.WriteAllTextAsync(file, "secret");
        await OkAsync("s3", "cp", file, "s3://cli-bucket/asked.txt", "--sse", "AES256");
        var asked = Json(await OkAsync("s3api", "head-object", "--bucket", "cli-bucket", "--key", "asked.txt"));
        Assert.Equal("AES256", asked.GetProperty("ServerSideEncryption").GetString());

        var none = await RunAsync("s3api", "get-bucket-encryption", "--bucket", "cli-bucket");
        Assert.Contains("ServerSideEncryptionConfigurationNotFoundError", none.Stderr, StringComparison.Ordinal);
        await OkAsync("s3api", "put-bucket-encryption", "--bucket", "cli-bucket", "--server-side-encryption-configuration",
            "{\"Rules\":[{\"ApplyServerSideEncryptionByDefault\":{\"SSEAlgorithm\":\"AES256\"}}]}");
        var rule = Json(await OkAsync("s3api", "get-bucket-encryption", "--bucket", "cli-bucket"));
        Assert.Equal("AES256", rule.GetProperty("ServerSideEncryptionConfiguration").GetProperty("Rules")[0].GetProperty("ApplyServerSideEncryptionByDefault").GetProperty("SSEAlgorithm").GetString());

        await OkAsync("s3", "cp", file, "s3://cli-bucket/default.txt");
        var back = Path.Combine(Work, "secret.back");
        var byDefault = Json(await OkAsync("s3api", "get-object", "--bucket", "cli-bucket", "--key", "default.txt", back));
        Assert.Equal("AES256", byDefault.GetProperty("ServerSideEncryption").GetString());
        Assert.Equal("secret", await File.ReadAllTextAsync(back));
    }

    [Fact]
    public async Task Errors_reach_the_CLI_with_their_S3_codes()
    {
        var bad = await RunAsync("s3", "mb", "s3://Bad_Name");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("InvalidBucketName", bad.Stderr, StringComparison.Ordinal);

        var denied = await AwsCli.RunAsync(Server, TestServer.Bob, null, "s3", "ls", "s3://cli-bucket");
        Assert.Contains("AccessDenied", denied.Stderr, StringComparison.Ordinal);
        var missing = await RunAsync("s3api", "get-object", "--bucket", "cli-bucket", "--key", "nope", Path.Combine(Work, "nope"));
        Assert.Contains("NoSuchKey", missing.Stderr, StringComparison.Ordinal);
    }
}
