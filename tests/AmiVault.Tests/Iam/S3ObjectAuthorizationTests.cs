using AmiVault.Tests.Support;
using AmiVault.Tests.Tasks;

namespace AmiVault.Tests.Iam;

/// <summary>
/// S3 operations that touch more than the object their request names are authorized on each object they touch, as
/// S3 does: every key of DeleteObjects (s3:DeleteObject, with a per-key AccessDenied in the result), the source of
/// CopyObject and UploadPartCopy (s3:GetObject); and a store task may write into another account's bucket only as
/// far as that bucket's policy allows. Through the AWS CLI.
/// </summary>
public sealed class S3ObjectAuthorizationTests
{
    private const string Bucket = "work-area";

    [Fact]
    public async Task DeleteObjects_deletes_the_keys_the_policy_allows_and_answers_AccessDenied_for_each_other_key()
    {
        await using var server = await TestServer.StartAsync();
        await ImageFixtures.BucketAsync(server, Bucket);
        foreach (var key in new[] { "tmp/a", "tmp/b", "keep/c" })
        {
            await ImageFixtures.PutObjectAsync(server, Bucket, key, [1, 2, 3]);
        }

        var cleaner = await IamUsers.CreateAsync(server, "cleaner", $$"""
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::{{Bucket}}/tmp/*"},
              {"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::{{Bucket}}"}]}
            """);
        var result = (await AwsCli.RunAsync(server, cleaner, null, "s3api", "delete-objects", "--bucket", Bucket, "--delete",
            """{"Objects":[{"Key":"tmp/a"},{"Key":"keep/c"},{"Key":"tmp/b"}]}""")).EnsureSuccess().Json;
        Assert.Equal(["tmp/a", "tmp/b"], result.GetProperty("Deleted").EnumerateArray().Select(d => d.GetProperty("Key").GetString()));
        var error = Assert.Single(result.GetProperty("Errors").EnumerateArray());
        Assert.Equal(("keep/c", "AccessDenied"), (error.GetProperty("Key").GetString(), error.GetProperty("Code").GetString()));
        Assert.Contains($"s3:DeleteObject on resource: arn:aws:s3:::{Bucket}/keep/c", error.GetProperty("Message").GetString(), StringComparison.Ordinal);
        Assert.Equal(["keep/c"], (await ImageFixtures.ContentsAsync(server, Bucket)).Objects);

        // Quiet mode leaves out what was deleted, never the refusals.
        var quiet = (await AwsCli.RunAsync(server, cleaner, null, "s3api", "delete-objects", "--bucket", Bucket, "--delete",
            """{"Objects":[{"Key":"keep/c"}],"Quiet":true}""")).EnsureSuccess().Json;
        Assert.Equal("AccessDenied", Assert.Single(quiet.GetProperty("Errors").EnumerateArray()).GetProperty("Code").GetString());

        // A user without s3:DeleteObject on anything deletes nothing; the account's root deletes all.
        var reader = await IamUsers.CreateAsync(server, "reader", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}""");
        var none = (await AwsCli.RunAsync(server, reader, null, "s3api", "delete-objects", "--bucket", Bucket, "--delete", """{"Objects":[{"Key":"keep/c"}]}""")).EnsureSuccess().Json;
        Assert.Equal("AccessDenied", Assert.Single(none.GetProperty("Errors").EnumerateArray()).GetProperty("Code").GetString());
        (await AwsCli.RunAsync(server, "s3api", "delete-objects", "--bucket", Bucket, "--delete", """{"Objects":[{"Key":"keep/c"}]}""")).EnsureSuccess();
        Assert.Empty((await ImageFixtures.ContentsAsync(server, Bucket)).Objects);
    }

    [Fact]
    public async Task CopyObject_and_UploadPartCopy_need_GetObject_on_their_source_and_read_another_accounts_bucket_only_through_its_policy()
    {
        await using var server = await TestServer.StartAsync();
        await ImageFixtures.BucketAsync(server, Bucket);
        await ImageFixtures.PutObjectAsync(server, Bucket, "public/doc", [1, 2, 3, 4]);
        await ImageFixtures.PutObjectAsync(server, Bucket, "secret/doc", [5, 6, 7, 8]);
        var copier = await IamUsers.CreateAsync(server, "copier", $$"""
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::{{Bucket}}/copies/*"},
              {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::{{Bucket}}/public/*"}]}
            """);

        (await AwsCli.RunAsync(server, copier, null, "s3api", "copy-object", "--bucket", Bucket, "--key", "copies/1", "--copy-source", $"{Bucket}/public/doc")).EnsureSuccess();
        var refused = await AwsCli.RunAsync(server, copier, null, "s3api", "copy-object", "--bucket", Bucket, "--key", "copies/2", "--copy-source", $"{Bucket}/secret/doc");
        Assert.Equal("AccessDenied", refused.ErrorCode);
        Assert.Contains($"s3:GetObject on resource: arn:aws:s3:::{Bucket}/secret/doc", refused.Stderr, StringComparison.Ordinal);

        var uploadId = (await AwsCli.RunAsync(server, copier, null, "s3api", "create-multipart-upload", "--bucket", Bucket, "--key", "copies/3")).EnsureSuccess().Json.GetProperty("UploadId").GetString()!;
        string[] partCopy = ["s3api", "upload-part-copy", "--bucket", Bucket, "--key", "copies/3", "--upload-id", uploadId, "--part-number", "1", "--copy-source"];
        Assert.Equal("AccessDenied", (await AwsCli.RunAsync(server, copier, null, [.. partCopy, $"{Bucket}/secret/doc"])).ErrorCode);
        (await AwsCli.RunAsync(server, copier, null, [.. partCopy, $"{Bucket}/public/doc"])).EnsureSuccess();
        Assert.Equal(["copies/1", "public/doc", "secret/doc"], (await ImageFixtures.ContentsAsync(server, Bucket)).Objects);
        Assert.Equal([1, 2, 3, 4], await ImageFixtures.ObjectBytesAsync(server, Bucket, "copies/1"));

        // Bob copies out of Alice's bucket into his own only once her bucket policy lets him read it.
        var bob = TestServer.Bob;
        await ImageFixtures.BucketAsync(server, "bobs", bob);
        string[] copyOut = ["s3api", "copy-object", "--bucket", "bobs", "--key", "doc", "--copy-source", $"{Bucket}/public/doc"];
        Assert.NotEqual(0, (await AwsCli.RunAsync(server, bob, null, copyOut)).ExitCode);
        (await AwsCli.RunAsync(server, "s3api", "put-bucket-policy", "--bucket", Bucket, "--policy", $$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"{{bob.Id}}"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::{{Bucket}}/public/*"}]}
            """)).EnsureSuccess();
        (await AwsCli.RunAsync(server, bob, null, copyOut)).EnsureSuccess();
        Assert.Equal([1, 2, 3, 4], await ImageFixtures.ObjectBytesAsync(server, "bobs", "doc", bob));
        var secretOut = await AwsCli.RunAsync(server, bob, null, "s3api", "copy-object", "--bucket", "bobs", "--key", "secret", "--copy-source", $"{Bucket}/secret/doc");
        Assert.Equal("AccessDenied", secretOut.ErrorCode);
        Assert.Contains("because no resource-based policy allows the s3:GetObject action", secretOut.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_store_into_another_accounts_bucket_needs_that_buckets_policy_to_allow_the_write()
    {
        await using var server = await TestServer.StartAsync();
        var bob = TestServer.Bob;
        await ImageFixtures.BucketAsync(server, "central-archive");
        var imageId = await ImageFixtures.ImageAsync(server, "bobs-image", owner: bob);
        string[] store = ["ec2", "create-store-image-task", "--image-id", imageId, "--bucket", "central-archive"];

        // Without a policy, Alice's bucket is not one Bob can name.
        Assert.Equal("InvalidParameterValue", (await AwsCli.RunAsync(server, bob, null, store)).ErrorCode);

        // A policy that lets Bob read but not write: refused at admission, with the resource-based reason.
        var readOnly = $$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"{{bob.Id}}"},"Action":["s3:GetObject","s3:ListBucket"],
             "Resource":["arn:aws:s3:::central-archive","arn:aws:s3:::central-archive/*"]}]}
            """;
        (await AwsCli.RunAsync(server, "s3api", "put-bucket-policy", "--bucket", "central-archive", "--policy", readOnly)).EnsureSuccess();
        var denied = await AwsCli.RunAsync(server, bob, null, store);
        Assert.Equal("UnauthorizedOperation", denied.ErrorCode);
        Assert.Contains("because no resource-based policy allows the s3:PutObject action", denied.Stderr, StringComparison.Ordinal);

        // Allowed to write, Bob's store lands in Alice's bucket, and Alice can restore it.
        var write = readOnly.Replace("\"s3:GetObject\",\"s3:ListBucket\"", "\"s3:GetObject\",\"s3:ListBucket\",\"s3:PutObject\",\"s3:AbortMultipartUpload\"", StringComparison.Ordinal);
        (await AwsCli.RunAsync(server, "s3api", "put-bucket-policy", "--bucket", "central-archive", "--policy", write)).EnsureSuccess();
        (await AwsCli.RunAsync(server, bob, null, store)).EnsureSuccess();
        using (var bobEc2 = server.Ec2(bob))
        {
            var task = await ImageFixtures.WaitForStoreAsync(bobEc2, imageId);
            Assert.True(task.StoreTaskState == "Completed", $"Bob's store into Alice's bucket ended {task.StoreTaskState}: {task.StoreTaskFailureReason}");
        }

        var (objects, uploads) = await ImageFixtures.ContentsAsync(server, "central-archive");
        Assert.Equal([imageId + ".bin"], objects);
        Assert.Empty(uploads);
        var restored = (await AwsCli.RunAsync(server, "ec2", "create-restore-image-task", "--bucket", "central-archive", "--object-key", imageId + ".bin", "--name", "from-bob")).EnsureSuccess().Json.GetProperty("ImageId").GetString()!;
        using var aliceEc2 = server.Ec2();
        Assert.Equal("available", (await ImageFixtures.WaitForImageAsync(aliceEc2, restored)).State.Value);
    }
}
