using System.Text.Json;
using AmiVault.Tests.Support;

namespace AmiVault.Tests.S3;

/// <summary>Signature Version 2 is not served; a client that uses it is told to sign with Version 4, not just denied.</summary>
public sealed class SignatureVersion2Tests
{
    [Fact]
    public async Task A_SigV2_presigned_url_and_header_are_refused_with_a_pointer_to_SigV4()
    {
        await using var server = await TestServer.StartAsync();
        using (var s3 = server.S3())
        {
            await s3.PutBucketAsync("sigv2");
        }

        var output = await Boto3.RunAsync(server, TestServer.Alice, """
            v2 = boto3.client("s3", endpoint_url=_endpoint, region_name=_region, aws_access_key_id=_credentials.access_key,
                aws_secret_access_key=_credentials.secret_key, config=botocore.config.Config(signature_version="s3", retries={"max_attempts": 1}))
            url = v2.generate_presigned_url("get_object", Params={"Bucket": "sigv2", "Key": "k"}, ExpiresIn=300)
            try:
                urllib.request.urlopen(url)
                presigned = None
            except urllib.error.HTTPError as e:
                presigned = {"status": e.code, "body": e.read().decode()}
            try:
                v2.list_objects_v2(Bucket="sigv2")
                header = None
            except botocore.exceptions.ClientError as e:
                header = {"status": e.response["ResponseMetadata"]["HTTPStatusCode"], "body": e.response["Error"]["Code"] + ": " + e.response["Error"]["Message"]}
            print(json.dumps({"url": url, "presigned": presigned, "header": header}))
            """);

        using var json = JsonDocument.Parse(output);
        Assert.Contains("AWSAccessKeyId=", json.RootElement.GetProperty("url").GetString(), StringComparison.Ordinal);
        foreach (var name in new[] { "presigned", "header" })
        {
            var answer = json.RootElement.GetProperty(name);
            Assert.Equal(400, answer.GetProperty("status").GetInt32());
            Assert.Contains("InvalidRequest", answer.GetProperty("body").GetString(), StringComparison.Ordinal);
            Assert.Contains("AWS4-HMAC-SHA256", answer.GetProperty("body").GetString(), StringComparison.Ordinal);
        }
    }
}
