using AmiVault.Tests.Support;
using AmiVault.Tests.Tasks;

namespace AmiVault.Tests.Iam;

/// <summary>
/// Bucket policies through the AWS CLI (`aws s3api put-bucket-policy`): account B restores from account A's bucket
/// once A's policy grants it, and not before or after; the grant is no wider than what it names.
/// </summary>
public sealed class BucketPolicyCliTests
{
    private const string Bucket = "shared-archives";

    private static readonly string Grant = $$"""
        {"Version":"2012-10-17","Statement":[
          {"Sid":"BReads","Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":["s3:GetObject","s3:ListBucket"],
           "Resource":["arn:aws:s3:::{{Bucket}}","arn:aws:s3:::{{Bucket}}/*"]}]}
        """;

    [Fact]
    public async Task Account_B_restores_from_account_As_bucket_only_while_As_bucket_policy_grants_it()
    {
        await using var server = await TestServer.StartAsync();
        var bucket = await ImageFixtures.BucketAsync(server, Bucket);
        var key = await ImageFixtures.StoreAsync(server, await ImageFixtures.ImageAsync(server, "golden"), bucket);
        var bob = TestServer.Bob;
        var restorer = await IamUsers.CreateAsync(server, "restorer", PolicyParserTests.SeedPolicy, bob);
        string[] restore = ["ec2", "create-restore-image-task", "--bucket", Bucket, "--object-key", key, "--name", "from-alice"];

        // No policy: A's bucket is not B's to read.
        var before = await AwsCli.RunAsync(server, restorer, null, restore);
        Assert.NotEqual(0, before.ExitCode);
        Assert.Contains("AccessDenied", before.Stderr, StringComparison.Ordinal);
        Assert.Equal("AccessDenied", (await AwsCli.RunAsync(server, bob, null, "s3api", "get-object", "--bucket", Bucket, "--key", key, "/dev/null")).ErrorCode);

        // Only the owner may set it; A sets it and reads it back as it was put.
        Assert.NotEqual(0, (await AwsCli.RunAsync(server, bob, null, "s3api", "put-bucket-policy", "--bucket", Bucket, "--policy", Grant)).ExitCode);
        (await AwsCli.RunAsync(server, "s3api", "put-bucket-policy", "--bucket", Bucket, "--policy", Grant)).EnsureSuccess();
        Assert.Equal(Grant, (await AwsCli.RunAsync(server, "s3api", "get-bucket-policy", "--bucket", Bucket)).EnsureSuccess().Json.GetProperty("Policy").GetString());

        // B's user (its own policy: the seed's) restores from A's bucket; B's image is B's.
        var imageId = (await AwsCli.RunAsync(server, restorer, null, restore)).EnsureSuccess().Json.GetProperty("ImageId").GetString()!;
        using (var bobEc2 = server.Ec2(bob))
        {
            var image = await ImageFixtures.WaitForImageAsync(bobEc2, imageId);
            Assert.Equal(("available", bob.Id), (image.State.Value, image.OwnerId));
        }

        // The grant reads, nothing more: B cannot write into A's bucket, and A's own users gain nothing from it.
        (await AwsCli.RunAsync(server, restorer, null, "s3api", "get-object", "--bucket", Bucket, "--key", key, "/dev/null")).EnsureSuccess();
        var planted = Path.GetTempFileName();
        await File.WriteAllTextAsync(planted, "not an archive");
        var write = await AwsCli.RunAsync(server, bob, null, "s3api", "put-object", "--bucket", Bucket, "--key", "planted", "--body", planted);
        File.Delete(planted);
        Assert.True(write.ErrorCode == "AccessDenied", $"put-object into A's bucket by B: exit {write.ExitCode}, {write.Stderr}{write.Stdout}");
        Assert.Contains("s3:PutObject on resource: arn:aws:s3:::shared-archives/planted because no resource-based policy allows the s3:PutObject action", write.Stderr, StringComparison.Ordinal);
        var alicesUser = await IamUsers.CreateAsync(server, "nobody", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:DescribeImages","Resource":"*"}]}""");
        var sameAccount = await AwsCli.RunAsync(server, alicesUser, null, "s3api", "get-object", "--bucket", Bucket, "--key", key, "/dev/null");
        Assert.Equal("AccessDenied", sameAccount.ErrorCode);
        Assert.Contains("because no identity-based policy allows the s3:GetObject action", sameAccount.Stderr, StringComparison.Ordinal);

        // A user of B without s3:GetObject in its own policy is refused even though the bucket grants B.
        var unprivileged = await IamUsers.CreateAsync(server, "viewer", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}""", bob);
        var viewerRestore = await AwsCli.RunAsync(server, unprivileged, null, [.. restore[..^1], "from-alice-2"]);
        Assert.Equal("UnauthorizedOperation", viewerRestore.ErrorCode);
        Assert.Contains("s3:GetObject on resource: arn:aws:s3:::shared-archives/", viewerRestore.Stderr, StringComparison.Ordinal);

        // Policies naming another bucket are malformed; the policy removed, B is refused again.
        var elsewhere = Grant.Replace($"arn:aws:s3:::{Bucket}/*", "arn:aws:s3:::other/*", StringComparison.Ordinal);
        Assert.Equal("MalformedPolicy", (await AwsCli.RunAsync(server, "s3api", "put-bucket-policy", "--bucket", Bucket, "--policy", elsewhere)).ErrorCode);
        (await AwsCli.RunAsync(server, "s3api", "delete-bucket-policy", "--bucket", Bucket)).EnsureSuccess();
        Assert.Equal("NoSuchBucketPolicy", (await AwsCli.RunAsync(server, "s3api", "get-bucket-policy", "--bucket", Bucket)).ErrorCode);
        var after = await AwsCli.RunAsync(server, restorer, null, [.. restore[..^1], "from-alice-3"]);
        Assert.NotEqual(0, after.ExitCode);
    }
}
