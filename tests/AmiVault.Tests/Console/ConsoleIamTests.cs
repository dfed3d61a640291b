using System.Net;
using AmiVault.Tests.Iam;
using AmiVault.Tests.Support;
using Amazon.S3;
using static AmiVault.Tests.Console.ConsoleSessionTests;

namespace AmiVault.Tests.Console;

/// <summary>
/// An IAM user in the console, over plain HTTP: it signs in with its own access key (made with `aws iam`), and every
/// page is authorized exactly as the API authorizes that key's requests: its EC2 actions and bucket reads, the
/// browser's address for aws:SourceIp, policy changes taking effect at once, and a key made inactive ending the session.
/// </summary>
public sealed class ConsoleIamTests
{
    private const string Bucket = "console-iam-archives";

    [Fact]
    public async Task An_IAM_user_signs_in_with_its_key_and_sees_only_what_its_policy_allows()
    {
        await using var server = await TestServer.StartAsync();
        using (var s3 = new AmazonS3Client(TestServer.Alice.AccessKeyId, TestServer.Alice.SecretAccessKey,
            new AmazonS3Config { ServiceURL = server.EndpointUrl, ForcePathStyle = true, AuthenticationRegion = "us-east-1" }))
        {
            await s3.PutBucketAsync(Bucket);
        }

        var viewer = await IamUsers.CreateAsync(server, "viewer", """
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":["ec2:Describe*","s3:ListAllMyBuckets"],"Resource":"*"},
              {"Effect":"Deny","Action":"ec2:CreateStoreImageTask","Resource":"*"}]}
            """);
        using var client = ConsoleSessionTests.Client(server);
        using var signedIn = await SignInAsync(client, viewer.AccessKeyId, viewer.SecretAccessKey);
        Assert.Equal(HttpStatusCode.SeeOther, signedIn.StatusCode);
        var session = SessionOf(signedIn);

        // Allowed: the images page (DescribeImages) and the bucket list (s3:ListAllMyBuckets); the header names the user.
        var images = await PageAsync(client, session, "/console/images");
        Assert.Equal(HttpStatusCode.OK, images.Status);
        Assert.Contains("User viewer · account 111111111111", images.Html, StringComparison.Ordinal);
        var buckets = await PageAsync(client, session, "/console/buckets");
        Assert.Equal(HttpStatusCode.OK, buckets.Status);
        Assert.Contains(Bucket, buckets.Html, StringComparison.Ordinal);

        // Not allowed: listing the bucket's objects (s3:ListBucket) answers S3's AccessDenied with AWS's message.
        var objects = await PageAsync(client, session, "/console/buckets?bucket=" + Bucket);
        Assert.Contains("AccessDenied", objects.Html, StringComparison.Ordinal);
        Assert.Contains($"User: arn:aws:iam::111111111111:user/viewer is not authorized to perform: s3:ListBucket on resource: arn:aws:s3:::{Bucket} because no identity-based policy allows the s3:ListBucket action",
            objects.Html, StringComparison.Ordinal);

        // The store check is the API's DryRun: the explicit Deny shows before anything is submitted.
        var check = await PageAsync(client, session, $"/console/store/check?image=ami-0123456789abcdef0&bucket={Bucket}");
        Assert.Contains("UnauthorizedOperation", check.Html, StringComparison.Ordinal);
        Assert.Contains("ec2:CreateStoreImageTask on resource: arn:aws:ec2:us-east-1::image/ami-0123456789abcdef0 with an explicit deny", check.Html, StringComparison.Ordinal);

        // A policy change applies to the open session at once; conditions see the browser's address (127.0.0.1 here).
        await IamUsers.PutPolicyAsync(server, "viewer", """
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"},
              {"Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}}]}
            """);
        var denied = await PageAsync(client, session, "/console/images");
        Assert.Equal(HttpStatusCode.Forbidden, denied.Status);
        Assert.Contains("UnauthorizedOperation", denied.Html, StringComparison.Ordinal);
        Assert.Contains("ec2:DescribeImages with an explicit deny", denied.Html, StringComparison.Ordinal);

        // The key made inactive through IAM ends the session at its next request, and signs in no more.
        (await AwsCli.RunAsync(server, "iam", "update-access-key", "--user-name", "viewer", "--access-key-id", viewer.AccessKeyId, "--status", "Inactive")).EnsureSuccess();
        using var ended = await GetAsync(client, session, "/console/images");
        Assert.Equal(HttpStatusCode.SeeOther, ended.StatusCode);
        Assert.StartsWith("/console/signin", ended.Headers.Location!.OriginalString, StringComparison.Ordinal);
        using var again = await SignInAsync(client, viewer.AccessKeyId, viewer.SecretAccessKey);
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
    }

    [Fact]
    public async Task Temporary_credentials_cannot_sign_in_without_their_session_token()
    {
        await using var server = await TestServer.StartAsync();
        (await AwsCli.RunAsync(server, "iam", "create-role", "--role-name", "console-role", "--assume-role-policy-document",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]}""")).EnsureSuccess();
        var assumed = (await AwsCli.RunAsync(server, "sts", "assume-role", "--role-arn", "arn:aws:iam::111111111111:role/console-role", "--role-session-name", "web"))
            .EnsureSuccess().Json.GetProperty("Credentials");
        using var client = ConsoleSessionTests.Client(server);
        using var refused = await SignInAsync(client, assumed.GetProperty("AccessKeyId").GetString()!, assumed.GetProperty("SecretAccessKey").GetString()!);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task The_image_page_shows_the_aliases_pointing_at_the_image_as_far_as_the_ssm_actions_allow()
    {
        await using var server = await TestServer.StartAsync();
        var imageId = await Tasks.ImageFixtures.ImageAsync(server, "web-server");
        var otherId = await Tasks.ImageFixtures.ImageAsync(server, "db-server");
        async Task PutAsync(string name, string value, string dataType = "aws:ec2:image") =>
            (await AwsCli.RunAsync(server, "ssm", "put-parameter", "--name", name, "--type", "String", "--data-type", dataType, "--value", value, "--overwrite")).EnsureSuccess();
        await PutAsync("/golden/web-server", imageId);
        await PutAsync("/prod/web", imageId);
        await PutAsync("/golden/db-server", otherId);
        await PutAsync("/notes/web-id", imageId, "text");
        await PutAsync("/golden/moved", imageId);
        await PutAsync("/golden/moved", otherId);

        // Root: the aliases whose current value is the image, and only those (not a text parameter, not an old version).
        using var client = ConsoleSessionTests.Client(server);
        using (var root = await SignInAsync(client, TestServer.Alice.AccessKeyId, TestServer.Alice.SecretAccessKey))
        {
            var page = await PageAsync(client, SessionOf(root), "/console/images/" + imageId);
            Assert.Equal(HttpStatusCode.OK, page.Status);
            var aliases = Aliases(page.Html);
            Assert.Equal("/golden/web-server /prod/web", aliases);
            Assert.Equal("/golden/db-server /golden/moved", Aliases((await PageAsync(client, SessionOf(root), "/console/images/" + otherId)).Html));
        }

        // A user allowed to describe images but not to read parameters sees the image and SSM's refusal in place of its aliases.
        var viewer = await IamUsers.CreateAsync(server, "viewer", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:Describe*","ssm:DescribeParameters"],"Resource":"*"}]}""");
        using var signedIn = await SignInAsync(client, viewer.AccessKeyId, viewer.SecretAccessKey);
        var refused = await PageAsync(client, SessionOf(signedIn), "/console/images/" + imageId);
        Assert.Equal(HttpStatusCode.OK, refused.Status);
        Assert.Contains("not shown: AccessDeniedException: User: arn:aws:iam::111111111111:user/viewer is not authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:us-east-1:111111111111:parameter/", refused.Html, StringComparison.Ordinal);
    }

    /// <summary>The alias names of an image page, in order, space-separated.</summary>
    private static string Aliases(string html)
    {
        var start = html.IndexOf("<dd class=\"aliases\">", StringComparison.Ordinal);
        Assert.True(start >= 0, "The page has no aliases entry.");
        var end = html.IndexOf("</dd>", start, StringComparison.Ordinal);
        var names = System.Text.RegularExpressions.Regex.Matches(html[start..end], "<span class=\"id alias\">([^<]*)</span>");
        return string.Join(' ', names.Select(m => m.Groups[1].Value));
    }

    private static async Task<(HttpStatusCode Status, string Html)> PageAsync(HttpClient client, string session, string path)
    {
        using var response = await GetAsync(client, session, path);
        return (response.StatusCode, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));
    }
}
