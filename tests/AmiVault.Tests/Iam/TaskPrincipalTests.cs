using AmiVault.Tests.Support;
using AmiVault.Tests.Tasks;
using Amazon.EC2.Model;
using Microsoft.Extensions.DependencyInjection;

namespace AmiVault.Tests.Iam;

/// <summary>Tasks run as the principal that asked for them, as AWS documents: losing a permission mid-task fails the task.</summary>
public sealed class TaskPrincipalTests
{
    [Fact]
    public async Task A_store_whose_user_loses_its_policy_mid_task_fails_with_the_reason_and_leaves_nothing()
    {
        await using var server = await TestServer.StartAsync("us-east-1", null, GatedBlockStore.Install);
        var gate = server.Server.Services.GetRequiredService<GatedBlockStore>();
        var ci = await IamUsers.CreateAsync(server, "ci", PolicyParserTests.SeedPolicy);
        var bucket = await ImageFixtures.BucketAsync(server, "images");
        var imageId = await ImageFixtures.ImageAsync(server, "web");
        using var asCi = server.Ec2(ci);

        // The store holds at its first block read while the administrator takes the user's policy away.
        var held = gate.CloseAsync();
        await asCi.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = imageId, Bucket = bucket });
        await held;
        (await AwsCli.RunAsync(server, "iam", "delete-user-policy", "--user-name", "ci", "--policy-name", "main")).EnsureSuccess();
        gate.Open();

        using var admin = server.Ec2();
        var task = await ImageFixtures.WaitForStoreAsync(admin, imageId);
        Assert.Equal("Failed", task.StoreTaskState);
        Assert.Contains("Access denied while the task ran: User: arn:aws:iam::111111111111:user/ci is not authorized to perform: ebs:ListSnapshotBlocks", task.StoreTaskFailureReason, StringComparison.Ordinal);
        var (objects, uploads) = await ImageFixtures.ContentsAsync(server, bucket);
        Assert.Empty(objects);
        Assert.Empty(uploads);
    }

    [Fact]
    public async Task A_restore_needs_to_read_the_object_and_write_snapshots_when_it_is_asked_for()
    {
        await using var server = await TestServer.StartAsync();
        var bucket = await ImageFixtures.BucketAsync(server, "images");
        var key = await ImageFixtures.StoreAsync(server, await ImageFixtures.ImageAsync(server, "web"), bucket);
        var ci = await IamUsers.CreateAsync(server, "ci", IamUsers.SeedWithout("ebs:PutSnapshotBlock"));

        var refused = await AwsCli.RunAsync(server, ci, null, "ec2", "create-restore-image-task", "--bucket", bucket, "--object-key", key, "--name", "again");
        Assert.Equal("UnauthorizedOperation", refused.ErrorCode);
        Assert.Contains("ebs:PutSnapshotBlock on resource: arn:aws:ec2:us-east-1::snapshot/*", refused.Stderr, StringComparison.Ordinal);

        await IamUsers.PutPolicyAsync(server, "ci", PolicyParserTests.SeedPolicy);
        (await AwsCli.RunAsync(server, ci, null, "ec2", "create-restore-image-task", "--bucket", bucket, "--object-key", key, "--name", "again")).EnsureSuccess();
    }
}
