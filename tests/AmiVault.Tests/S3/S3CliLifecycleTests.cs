using AmiVault.ObjectStore.Embedded;
using Microsoft.Extensions.DependencyInjection;

namespace AmiVault.Tests.S3;

/// <summary>
/// Bucket lifecycle rules through the AWS CLI: configuration round trip and refusals, then the rules applied by the
/// server (as at a time 40 days on): expired objects gone, stale uploads aborted, everything else untouched.
/// </summary>
[Trait("Category", AmiVault.Tests.Support.TestCategories.Process)]
public sealed class S3CliLifecycleTests : S3CliTestBase
{
    private async Task<string> RulesFileAsync(string json)
    {
        var path = Path.Combine(Work, Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(path, json);
        return "file://" + path;
    }

    [Fact]
    public async Task Objects_under_an_expiration_rule_carry_x_amz_expiration_on_put_get_and_head()
    {
        var rules = await RulesFileAsync("""
            {"Rules":[
              {"ID":"logs 30/days","Filter":{"Prefix":"logs/"},"Status":"Enabled","Expiration":{"Days":30}},
              {"ID":"all-365","Filter":{},"Status":"Enabled","Expiration":{"Days":365}},
              {"ID":"off","Filter":{"Prefix":"keep/"},"Status":"Disabled","Expiration":{"Days":1}}
            ]}
            """);
        var file = Path.Combine(Work, "log.txt");
        await File.WriteAllTextAsync(file, "line");
        await OkAsync("s3api", "put-object", "--bucket", "cli-bucket", "--key", "before", "--body", file);
        Assert.False(Json(await OkAsync("s3api", "head-object", "--bucket", "cli-bucket", "--key", "before")).TryGetProperty("Expiration", out _));
        await OkAsync("s3api", "put-bucket-lifecycle-configuration", "--bucket", "cli-bucket", "--lifecycle-configuration", rules);

        // Due at the first midnight UTC at least N days after the write; the earliest rule wins; the id is URL-encoded.
        static string Expected(string lastModified, int days, string ruleId)
        {
            var written = DateTimeOffset.Parse(lastModified, System.Globalization.CultureInfo.InvariantCulture).ToUniversalTime().AddDays(days);
            var midnight = new DateTimeOffset(written.UtcDateTime.Date, TimeSpan.Zero);
            var due = midnight == written ? midnight : midnight.AddDays(1);
            return $"expiry-date=\"{due.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}\", rule-id=\"{ruleId}\"";
        }

        var put = Json(await OkAsync("s3api", "put-object", "--bucket", "cli-bucket", "--key", "logs/a", "--body", file));
        var head = Json(await OkAsync("s3api", "head-object", "--bucket", "cli-bucket", "--key", "logs/a"));
        var expected = Expected(head.GetProperty("LastModified").GetString()!, 30, "logs%2030%2Fdays");
        Assert.Equal(expected, put.GetProperty("Expiration").GetString());
        Assert.Equal(expected, head.GetProperty("Expiration").GetString());
        var get = Json(await OkAsync("s3api", "get-object", "--bucket", "cli-bucket", "--key", "logs/a", Path.Combine(Work, "out.txt")));
        Assert.Equal(expected, get.GetProperty("Expiration").GetString());

        // The disabled rule is ignored; the catch-all one applies, also to an object written before the rules.
        var keep = Json(await OkAsync("s3api", "head-object", "--bucket", "cli-bucket", "--key", "before"));
        Assert.Equal(Expected(keep.GetProperty("LastModified").GetString()!, 365, "all-365"), keep.GetProperty("Expiration").GetString());

        await OkAsync("s3api", "delete-bucket-lifecycle", "--bucket", "cli-bucket");
        Assert.False(Json(await OkAsync("s3api", "head-object", "--bucket", "cli-bucket", "--key", "logs/a")).TryGetProperty("Expiration", out _));
    }

    [Fact]
    public async Task Rules_round_trip_and_expire_objects_and_abort_uploads_when_due()
    {
        var missing = await RunAsync("s3api", "get-bucket-lifecycle-configuration", "--bucket", "cli-bucket");
        Assert.Contains("(NoSuchLifecycleConfiguration)", missing.Stderr);

        var rules = await RulesFileAsync("""
            {"Rules":[
              {"ID":"tmp-30-days","Filter":{"Prefix":"tmp/"},"Status":"Enabled","Expiration":{"Days":30}},
              {"ID":"abort-uploads","Filter":{},"Status":"Enabled","AbortIncompleteMultipartUpload":{"DaysAfterInitiation":7}},
              {"ID":"off","Filter":{"Prefix":"keep/"},"Status":"Disabled","Expiration":{"Days":1}}
            ]}
            """);
        await OkAsync("s3api", "put-bucket-lifecycle-configuration", "--bucket", "cli-bucket", "--lifecycle-configuration", rules);
        var got = Json(await OkAsync("s3api", "get-bucket-lifecycle-configuration", "--bucket", "cli-bucket")).GetProperty("Rules");
        Assert.Equal(["tmp-30-days", "abort-uploads", "off"], got.EnumerateArray().Select(r => r.GetProperty("ID").GetString()));
        Assert.Equal(30, got[0].GetProperty("Expiration").GetProperty("Days").GetInt32());
        Assert.Equal("tmp/", got[0].GetProperty("Filter").GetProperty("Prefix").GetString());
        Assert.Equal(7, got[1].GetProperty("AbortIncompleteMultipartUpload").GetProperty("DaysAfterInitiation").GetInt32());
        Assert.Equal("Disabled", got[2].GetProperty("Status").GetString());

        var file = Path.Combine(Work, "small.txt");
        await File.WriteAllTextAsync(file, "data");
        foreach (var key in new[] { "tmp/a", "tmp/b", "keep/c", "images/ami-1.bin" })
        {
            await OkAsync("s3", "cp", file, "s3://cli-bucket/" + key);
        }

        var uploadId = Json(await OkAsync("s3api", "create-multipart-upload", "--bucket", "cli-bucket", "--key", "images/ami-2.bin")).GetProperty("UploadId").GetString();

        var buckets = Server.Server.Services.GetRequiredService<EmbeddedObjectStoreProvider>();
        var now = DateTimeOffset.UtcNow;
        var early = await buckets.ApplyLifecycleAsync(now.AddDays(5));
        Assert.Equal((0, 0), (early.ObjectsExpired, early.UploadsAborted));

        var week = await buckets.ApplyLifecycleAsync(now.AddDays(9));
        Assert.Equal((0, 1), (week.ObjectsExpired, week.UploadsAborted));
        // The CLI prints nothing at all for a listing without uploads.
        var uploads = await OkAsync("s3api", "list-multipart-uploads", "--bucket", "cli-bucket");
        Assert.True(uploads.Trim().Length == 0 || !Json(uploads).TryGetProperty("Uploads", out _), $"upload {uploadId} was not aborted: {uploads}");

        var month = await buckets.ApplyLifecycleAsync(now.AddDays(40));
        Assert.Equal((2, 0), (month.ObjectsExpired, month.UploadsAborted));
        var keys = Json(await OkAsync("s3api", "list-objects-v2", "--bucket", "cli-bucket", "--query", "Contents[].Key"));
        Assert.Equal(["images/ami-1.bin", "keep/c"], keys.EnumerateArray().Select(k => k.GetString()));

        await OkAsync("s3api", "delete-bucket-lifecycle", "--bucket", "cli-bucket");
        Assert.Contains("(NoSuchLifecycleConfiguration)", (await RunAsync("s3api", "get-bucket-lifecycle-configuration", "--bucket", "cli-bucket")).Stderr);
        var after = await buckets.ApplyLifecycleAsync(now.AddDays(400));
        Assert.Equal((0, 0), (after.ObjectsExpired, after.UploadsAborted));
    }

    [Theory]
    [InlineData("""{"Rules":[{"ID":"a","Filter":{},"Status":"Enabled","Expiration":{"Days":0}}]}""", "InvalidArgument")]
    [InlineData("""{"Rules":[{"ID":"a","Filter":{},"Status":"Enabled","Expiration":{"Date":"2030-01-01T12:00:00Z"}}]}""", "InvalidArgument")]
    [InlineData("""{"Rules":[{"ID":"a","Filter":{},"Status":"Enabled","Expiration":{"Days":1}},{"ID":"a","Filter":{},"Status":"Enabled","Expiration":{"Days":2}}]}""", "InvalidArgument")]
    [InlineData("""{"Rules":[{"ID":"a","Filter":{},"Status":"Enabled"}]}""", "InvalidRequest")]
    [InlineData("""{"Rules":[{"ID":"a","Filter":{"Tag":{"Key":"k","Value":"v"}},"Status":"Enabled","Expiration":{"Days":1}}]}""", "NotImplemented")]
    [InlineData("""{"Rules":[{"ID":"a","Filter":{},"Status":"Enabled","Transitions":[{"Days":1,"StorageClass":"GLACIER"}]}]}""", "NotImplemented")]
    public async Task Bad_rules_are_refused_with_S3_codes_and_change_nothing(string json, string code)
    {
        var refused = await RunAsync("s3api", "put-bucket-lifecycle-configuration", "--bucket", "cli-bucket", "--lifecycle-configuration", await RulesFileAsync(json));
        Assert.Contains($"({code})", refused.Stderr);
        Assert.Contains("(NoSuchLifecycleConfiguration)", (await RunAsync("s3api", "get-bucket-lifecycle-configuration", "--bucket", "cli-bucket")).Stderr);
    }
}
