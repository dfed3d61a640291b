using System.Globalization;
using System.Security.Cryptography;
using AmiVault.Accounts;
using AmiVault.Blocks;
using AmiVault.Tests.Support;
using AmiVault.Tests.Tasks;
using Amazon.EC2;

namespace AmiVault.Tests.Iam;

/// <summary>
/// A CI user made with `aws iam` and given exactly the policy of the AWS store/restore page runs the whole flow with
/// its own keys through the AWS CLI, and is refused, in each protocol's format, what the policy does not grant.
/// </summary>
public sealed class SeedPolicyCliTests : IAsyncLifetime, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("amivault-iam-cli-").FullName;
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public Task DisposeAsync() => _server.DisposeAsync().AsTask();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_user_with_exactly_the_seed_policy_uploads_stores_describes_and_restores()
    {
        var ci = await IamUsers.CreateAsync(_server, "ci", PolicyParserTests.SeedPolicy);

        // EBS upload with the user's keys.
        var snapshotId = (await Cli(ci, "ebs", "start-snapshot", "--volume-size", "1")).EnsureSuccess().Json.GetProperty("SnapshotId").GetString()!;
        var block = RandomNumberGenerator.GetBytes(IBlockStore.BlockSize);
        var file = Path.Combine(_dir, "block.bin");
        await File.WriteAllBytesAsync(file, block);
        (await Cli(ci, "ebs", "put-snapshot-block", "--snapshot-id", snapshotId, "--block-index", "3", "--block-data", file,
            "--data-length", IBlockStore.BlockSize.ToString(CultureInfo.InvariantCulture), "--checksum", Convert.ToBase64String(SHA256.HashData(block)),
            "--checksum-algorithm", "SHA256")).EnsureSuccess();
        (await Cli(ci, "ebs", "complete-snapshot", "--snapshot-id", snapshotId, "--changed-blocks-count", "1")).EnsureSuccess();

        // The administrator registers the image and makes the bucket (neither is in the policy).
        using var admin = _server.Ec2();
        var imageId = await Ec2.Ec2TestData.RegisterAsync(admin, "ci-image", snapshotId, r => r.VirtualizationType = "hvm");
        var bucket = await ImageFixtures.BucketAsync(_server, "ci-" + Guid.NewGuid().ToString("N")[..12]);

        (await Cli(ci, "ec2", "get-ebs-encryption-by-default")).EnsureSuccess();
        var key = (await Cli(ci, "ec2", "create-store-image-task", "--image-id", imageId, "--bucket", bucket)).EnsureSuccess().Json.GetProperty("ObjectKey").GetString()!;
        await WaitAsync(async () => (await Cli(ci, "ec2", "describe-store-image-tasks", "--image-ids", imageId)).EnsureSuccess()
            .Json.GetProperty("StoreImageTaskResults")[0].GetProperty("StoreTaskState").GetString() == "Completed");
        (await Cli(ci, "s3api", "head-object", "--bucket", bucket, "--key", key)).EnsureSuccess();
        (await Cli(ci, "ec2", "describe-tags")).EnsureSuccess();

        var restored = (await Cli(ci, "ec2", "create-restore-image-task", "--bucket", bucket, "--object-key", key, "--name", "ci-restored"))
            .EnsureSuccess().Json.GetProperty("ImageId").GetString()!;
        var image = await ImageFixtures.WaitForImageAsync(admin, restored);
        Assert.Equal(ImageState.Available, image.State);
        var restoredSnapshot = image.BlockDeviceMappings[0].Ebs.SnapshotId;
        var read = (await Cli(ci, "ebs", "list-snapshot-blocks", "--snapshot-id", restoredSnapshot)).EnsureSuccess().Json.GetProperty("Blocks");
        Assert.Equal(3, Assert.Single(read.EnumerateArray()).GetProperty("BlockIndex").GetInt32());
    }

    [Fact]
    public async Task What_the_seed_policy_does_not_grant_is_refused_in_each_protocols_format()
    {
        var ci = await IamUsers.CreateAsync(_server, "ci", PolicyParserTests.SeedPolicy);
        var arn = $"arn:aws:iam::{TestServer.Alice.Id}:user/ci";

        var describe = await Cli(ci, "ec2", "describe-images");
        Assert.Equal("UnauthorizedOperation", describe.ErrorCode);
        Assert.Contains($"User: {arn} is not authorized to perform: ec2:DescribeImages because no identity-based policy allows the ec2:DescribeImages action", describe.Stderr, StringComparison.Ordinal);

        var deregister = await Cli(ci, "ec2", "deregister-image", "--image-id", "ami-0123456789abcdef0");
        Assert.Equal("UnauthorizedOperation", deregister.ErrorCode);
        Assert.Contains("ec2:DeregisterImage on resource: arn:aws:ec2:us-east-1::image/ami-0123456789abcdef0", deregister.Stderr, StringComparison.Ordinal);

        var buckets = await Cli(ci, "s3api", "list-buckets");
        Assert.Equal("AccessDenied", buckets.ErrorCode);
        Assert.Contains("s3:ListAllMyBuckets", buckets.Stderr, StringComparison.Ordinal);

        var createBucket = await Cli(ci, "s3api", "create-bucket", "--bucket", "ci-may-not");
        Assert.Equal("AccessDenied", createBucket.ErrorCode);
        Assert.Contains("s3:CreateBucket on resource: arn:aws:s3:::ci-may-not", createBucket.Stderr, StringComparison.Ordinal);

        var users = await Cli(ci, "iam", "list-users");
        Assert.Equal("AccessDenied", users.ErrorCode);
        Assert.Contains("iam:ListUsers", users.Stderr, StringComparison.Ordinal);

        // Anyone who can sign may ask who they are.
        var identity = (await Cli(ci, "sts", "get-caller-identity")).EnsureSuccess().Json;
        Assert.Equal(arn, identity.GetProperty("Arn").GetString());
        Assert.Equal(TestServer.Alice.Id, identity.GetProperty("Account").GetString());
    }

    private Task<AwsCliResult> Cli(Account account, params string[] args) => AwsCli.RunAsync(_server, account, null, args);

    private static async Task WaitAsync(Func<Task<bool>> done)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!await done())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), "The task did not finish within 2 minutes.");
            await Task.Delay(200);
        }
    }
}
