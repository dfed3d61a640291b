using AmiVault.Accounts;
using AmiVault.Configuration;
using AmiVault.Tests.Ec2;
using AmiVault.Tests.Support;
using AmiVault.Tests.Tasks;
using Amazon.EC2;
using Amazon.EC2.Model;

namespace AmiVault.Tests.Iam;

/// <summary>
/// Image and snapshot sharing between accounts as EC2 does it: the owner (Alice) grants a launch permission and a
/// create volume permission to Bob, who then sees the image, stores it into his own bucket and restores it as his
/// own, but may not change, share or deregister it; Carol, granted nothing, sees nothing. Through the AWS CLI (both
/// forms it sends) and AWSSDK, with IAM users whose policies allow some of the ec2: actions.
/// </summary>
public sealed class ImageSharingTests
{
    private static readonly Account Carol = new("333333333333", "AKIACAROLCAROLCAROL3", "carol-secret-carol-secret-carol-secret-0");

    private static Task<TestServer> StartAsync() =>
        TestServer.StartAsync("us-east-1", o => o.Accounts.Add(new AccountOptions { Id = Carol.Id, AccessKeyId = Carol.AccessKeyId, SecretAccessKey = Carol.SecretAccessKey }));

    [Fact]
    public async Task An_image_shared_with_B_is_seen_and_stored_by_B_but_stays_As_and_C_sees_nothing()
    {
        await using var server = await StartAsync();
        var bob = TestServer.Bob;
        var imageId = await ImageFixtures.ImageAsync(server, "golden", blocks: ImageFixtures.MixedBlocks(seed: 12));
        string snapshotId;
        using (var ec2 = server.Ec2())
        {
            snapshotId = (await Ec2TestData.ImageAsync(ec2, imageId)).BlockDeviceMappings[0].Ebs.SnapshotId;
        }

        await ImageFixtures.BucketAsync(server, "bob-archive", bob);
        string[] bobStores = ["ec2", "create-store-image-task", "--image-id", imageId, "--bucket", "bob-archive"];

        // Before any grant the image is Alice's alone: to Bob and Carol it does not exist.
        Assert.Equal("InvalidAMIID.NotFound", (await Cli(server, bob, "ec2", "describe-images", "--image-ids", imageId)).ErrorCode);
        Assert.Equal("InvalidAMIID.NotFound", (await Cli(server, bob, bobStores)).ErrorCode);

        // Alice shares it with Bob the way the CLI's shorthand sends it (LaunchPermission.Add.1.UserId).
        (await Cli(server, TestServer.Alice, "ec2", "modify-image-attribute", "--image-id", imageId, "--launch-permission", $"Add=[{{UserId={bob.Id}}}]")).EnsureSuccess();
        var attribute = (await Cli(server, TestServer.Alice, "ec2", "describe-image-attribute", "--image-id", imageId, "--attribute", "launchPermission")).EnsureSuccess().Json;
        Assert.Equal(bob.Id, Assert.Single(attribute.GetProperty("LaunchPermissions").EnumerateArray()).GetProperty("UserId").GetString());

        // Bob sees it, owned by Alice, without Alice's tags; scoped by owner and by launch permission as EC2 scopes.
        var seen = Assert.Single(Images(await Cli(server, bob, "ec2", "describe-images")));
        Assert.Equal((imageId, TestServer.Alice.Id), (seen.GetProperty("ImageId").GetString(), seen.GetProperty("OwnerId").GetString()));
        Assert.Single(Images(await Cli(server, bob, "ec2", "describe-images", "--executable-users", "self")));
        Assert.Single(Images(await Cli(server, bob, "ec2", "describe-images", "--owners", TestServer.Alice.Id)));
        Assert.Empty(Images(await Cli(server, bob, "ec2", "describe-images", "--owners", "self")));
        Assert.Single(Images(await Cli(server, TestServer.Alice, "ec2", "describe-images", "--executable-users", bob.Id)));
        Assert.Empty(Images(await Cli(server, TestServer.Alice, "ec2", "describe-images", "--executable-users", Carol.Id)));
        Assert.Empty(Images(await Cli(server, TestServer.Alice, "ec2", "describe-images", "--executable-users", "self")));
        Assert.Equal(imageId, (await Cli(server, bob, "ec2", "describe-image-attribute", "--image-id", imageId, "--attribute", "description")).EnsureSuccess().Json.GetProperty("ImageId").GetString());

        // Bob may not change what he was only granted the use of: not its launch permission, tags or registration.
        Assert.Equal("AuthFailure", (await Cli(server, bob, "ec2", "describe-image-attribute", "--image-id", imageId, "--attribute", "launchPermission")).ErrorCode);
        Assert.Equal("AuthFailure", (await Cli(server, bob, "ec2", "modify-image-attribute", "--image-id", imageId, "--launch-permission", $"Add=[{{UserId={Carol.Id}}}]")).ErrorCode);
        Assert.Equal("AuthFailure", (await Cli(server, bob, "ec2", "reset-image-attribute", "--image-id", imageId, "--attribute", "launchPermission")).ErrorCode);
        Assert.Equal("AuthFailure", (await Cli(server, bob, "ec2", "create-tags", "--resources", imageId, "--tags", "Key=mine,Value=no")).ErrorCode);
        Assert.Equal("AuthFailure", (await Cli(server, bob, "ec2", "deregister-image", "--image-id", imageId)).ErrorCode);

        // An AMI alias may name an image shared with the account, and only then.
        string[] alias = ["ssm", "put-parameter", "--name", "/shared/golden", "--type", "String", "--data-type", "aws:ec2:image", "--value", imageId];
        (await Cli(server, bob, alias)).EnsureSuccess();
        Assert.Equal("ValidationException", (await Cli(server, Carol, alias)).ErrorCode);

        // Carol, granted nothing, sees nothing of it.
        Assert.Empty(Images(await Cli(server, Carol, "ec2", "describe-images")));
        Assert.Empty(Images(await Cli(server, Carol, "ec2", "describe-images", "--owners", TestServer.Alice.Id)));
        Assert.Equal("InvalidAMIID.NotFound", (await Cli(server, Carol, "ec2", "describe-image-attribute", "--image-id", imageId, "--attribute", "description")).ErrorCode);
        Assert.Equal("InvalidAMIID.NotFound", (await Cli(server, Carol, "ec2", "modify-image-attribute", "--image-id", imageId, "--launch-permission", $"Add=[{{UserId={Carol.Id}}}]")).ErrorCode);

        // The image alone is not enough to store it: AWS wants its snapshots shared directly too.
        var withoutSnapshots = await Cli(server, bob, bobStores);
        Assert.Equal("InvalidSnapshot.NotFound", withoutSnapshots.ErrorCode);

        // Alice shares the snapshot in the older flat form (Attribute, OperationType, UserId.N).
        (await Cli(server, TestServer.Alice, "ec2", "modify-snapshot-attribute", "--snapshot-id", snapshotId, "--attribute", "createVolumePermission", "--operation-type", "add", "--user-ids", bob.Id)).EnsureSuccess();
        var volumePermission = (await Cli(server, TestServer.Alice, "ec2", "describe-snapshot-attribute", "--snapshot-id", snapshotId, "--attribute", "createVolumePermission")).EnsureSuccess().Json;
        Assert.Equal(bob.Id, Assert.Single(volumePermission.GetProperty("CreateVolumePermissions").EnumerateArray()).GetProperty("UserId").GetString());
        Assert.Equal([snapshotId], Snapshots(await Cli(server, bob, "ec2", "describe-snapshots", "--restorable-by-user-ids", "self")));
        Assert.Empty(Snapshots(await Cli(server, bob, "ec2", "describe-snapshots", "--owner-ids", "self")));
        Assert.Equal([snapshotId], Snapshots(await Cli(server, TestServer.Alice, "ec2", "describe-snapshots", "--restorable-by-user-ids", bob.Id)));
        Assert.Empty(Snapshots(await Cli(server, Carol, "ec2", "describe-snapshots")));
        Assert.Equal("AuthFailure", (await Cli(server, bob, "ec2", "describe-snapshot-attribute", "--snapshot-id", snapshotId, "--attribute", "createVolumePermission")).ErrorCode);
        Assert.Equal("AuthFailure", (await Cli(server, bob, "ec2", "delete-snapshot", "--snapshot-id", snapshotId)).ErrorCode);
        Assert.Equal("InvalidSnapshot.NotFound", (await Cli(server, Carol, "ec2", "describe-snapshot-attribute", "--snapshot-id", snapshotId, "--attribute", "createVolumePermission")).ErrorCode);

        // Bob stores Alice's image into his own bucket; the archive names Alice as the image's owner.
        Assert.Equal(imageId + ".bin", (await Cli(server, bob, bobStores)).EnsureSuccess().Json.GetProperty("ObjectKey").GetString());
        using (var bobEc2 = server.Ec2(bob))
        {
            var task = await ImageFixtures.WaitForStoreAsync(bobEc2, imageId);
            Assert.True(task.StoreTaskState == "Completed", $"Bob's store of the shared image ended {task.StoreTaskState}: {task.StoreTaskFailureReason}");
            var head = (await Cli(server, bob, "s3api", "head-object", "--bucket", "bob-archive", "--key", imageId + ".bin")).EnsureSuccess().Json;
            Assert.Equal(TestServer.Alice.Id, head.GetProperty("Metadata").GetProperty("ami-owner-account").GetString());

            // Restored, the copy is Bob's, with Alice's blocks.
            var restored = (await Cli(server, bob, "ec2", "create-restore-image-task", "--bucket", "bob-archive", "--object-key", imageId + ".bin", "--name", "bobs-golden")).EnsureSuccess().Json.GetProperty("ImageId").GetString()!;
            var copy = await ImageFixtures.WaitForImageAsync(bobEc2, restored);
            Assert.Equal(("available", bob.Id), (copy.State.Value, copy.OwnerId));
            Assert.Equal(await ImageFixtures.SnapshotDigestsAsync(server, snapshotId), await ImageFixtures.SnapshotDigestsAsync(server, copy.BlockDeviceMappings[0].Ebs.SnapshotId));
        }

        // Alice is still the owner; Carol's store is refused as for an unknown image, and left nothing.
        using (var aliceEc2 = server.Ec2())
        {
            var original = await Ec2TestData.ImageAsync(aliceEc2, imageId);
            Assert.Equal(("available", TestServer.Alice.Id), (original.State.Value, original.OwnerId));
        }

        await ImageFixtures.BucketAsync(server, "carol-archive", Carol);
        Assert.Equal("InvalidAMIID.NotFound", (await Cli(server, Carol, "ec2", "create-store-image-task", "--image-id", imageId, "--bucket", "carol-archive")).ErrorCode);
        Assert.Equal((0, 0), await CountAsync(server, "carol-archive", Carol));

        // Removing the grant (the JSON form) and resetting the snapshot's end the sharing.
        (await Cli(server, TestServer.Alice, "ec2", "modify-image-attribute", "--image-id", imageId, "--launch-permission", $$"""{"Remove":[{"UserId":"{{bob.Id}}"}]}""")).EnsureSuccess();
        (await Cli(server, TestServer.Alice, "ec2", "reset-snapshot-attribute", "--snapshot-id", snapshotId, "--attribute", "createVolumePermission")).EnsureSuccess();
        Assert.Equal("InvalidAMIID.NotFound", (await Cli(server, bob, "ec2", "describe-images", "--image-ids", imageId)).ErrorCode);
        Assert.DoesNotContain(snapshotId, Snapshots(await Cli(server, bob, "ec2", "describe-snapshots", "--restorable-by-user-ids", "self")));
        Assert.Empty((await Cli(server, TestServer.Alice, "ec2", "describe-snapshot-attribute", "--snapshot-id", snapshotId, "--attribute", "createVolumePermission")).EnsureSuccess().Json.GetProperty("CreateVolumePermissions").EnumerateArray());
    }

    [Fact]
    public async Task Bad_sharing_requests_get_EC2s_error_codes_and_change_nothing()
    {
        await using var server = await StartAsync();
        var imageId = await ImageFixtures.ImageAsync(server, "golden");
        string[] modify = ["ec2", "modify-image-attribute", "--image-id", imageId];

        Assert.Equal("InvalidAMIAttributeItemValue", (await Cli(server, TestServer.Alice, [.. modify, "--launch-permission", "Add=[{UserId=12345}]"])).ErrorCode);
        Assert.Equal("InvalidAMIAttributeItemValue", (await Cli(server, TestServer.Alice, [.. modify, "--launch-permission", "Add=[{Group=friends}]"])).ErrorCode);
        Assert.Equal("InvalidParameterValue", (await Cli(server, TestServer.Alice, [.. modify, "--launch-permission", "Add=[{Group=all}]"])).ErrorCode);
        Assert.Equal("UnsupportedOperation", (await Cli(server, TestServer.Alice, [.. modify, "--launch-permission", "Add=[{OrganizationArn=arn:aws:organizations::111111111111:organization/o-abc}]"])).ErrorCode);
        Assert.Equal("InvalidParameterCombination", (await Cli(server, TestServer.Alice, modify)).ErrorCode);
        Assert.Equal("MissingParameter", (await Cli(server, TestServer.Alice, [.. modify, "--user-ids", TestServer.Bob.Id])).ErrorCode);
        Assert.Equal("InvalidAMIID.Malformed", (await Cli(server, TestServer.Alice, "ec2", "modify-image-attribute", "--image-id", "image-1", "--launch-permission", "Add=[{UserId=222222222222}]")).ErrorCode);
        Assert.Equal("InvalidAMIID.NotFound", (await Cli(server, TestServer.Alice, "ec2", "modify-image-attribute", "--image-id", "ami-0123456789abcdef0", "--launch-permission", "Add=[{UserId=222222222222}]")).ErrorCode);
        Assert.Equal("InvalidParameterValue", (await Cli(server, TestServer.Alice, "ec2", "reset-image-attribute", "--image-id", imageId, "--attribute", "kernel")).ErrorCode);
        Assert.Equal("InvalidUserID.Malformed", (await Cli(server, TestServer.Alice, "ec2", "describe-images", "--executable-users", "bob")).ErrorCode);

        // DryRun checks and changes nothing.
        Assert.Equal("DryRunOperation", (await Cli(server, TestServer.Alice, [.. modify, "--launch-permission", "Add=[{UserId=222222222222}]", "--dry-run"])).ErrorCode);
        var attribute = (await Cli(server, TestServer.Alice, "ec2", "describe-image-attribute", "--image-id", imageId, "--attribute", "launchPermission")).EnsureSuccess().Json;
        Assert.Empty(attribute.GetProperty("LaunchPermissions").EnumerateArray());
        Assert.Empty(Images(await Cli(server, TestServer.Bob, "ec2", "describe-images")));
    }

    [Fact]
    public async Task Sharing_is_authorized_by_the_ec2_actions_and_a_grantees_IAM_user_stores_the_shared_image_with_AWSSDK()
    {
        await using var server = await StartAsync();
        var bob = TestServer.Bob;
        var shared = await ImageFixtures.ImageAsync(server, "shared");
        var other = await ImageFixtures.ImageAsync(server, "other");
        string snapshotId;
        using (var ec2 = server.Ec2())
        {
            snapshotId = (await Ec2TestData.ImageAsync(ec2, shared)).BlockDeviceMappings[0].Ebs.SnapshotId;
        }

        // Alice's user may share exactly one image, and its snapshot, nothing else.
        var sharer = await IamUsers.CreateAsync(server, "sharer", $$"""
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":["ec2:ModifyImageAttribute","ec2:DescribeImageAttribute"],"Resource":"arn:aws:ec2:us-east-1::image/{{shared}}"},
              {"Effect":"Allow","Action":"ec2:ModifySnapshotAttribute","Resource":"arn:aws:ec2:us-east-1::snapshot/{{snapshotId}}"}]}
            """);
        using (var ec2 = server.Ec2(sharer))
        {
            LaunchPermissionModifications Grant(string account) => new() { Add = [new LaunchPermission { UserId = account }] };
            await ec2.ModifyImageAttributeAsync(new ModifyImageAttributeRequest { ImageId = shared, LaunchPermission = Grant(bob.Id) });
            var denied = await Ec2TestData.FailsAsync("UnauthorizedOperation",
                () => ec2.ModifyImageAttributeAsync(new ModifyImageAttributeRequest { ImageId = other, LaunchPermission = Grant(bob.Id) }), System.Net.HttpStatusCode.Forbidden);
            Assert.Contains($"ec2:ModifyImageAttribute on resource: arn:aws:ec2:us-east-1::image/{other}", denied.Message, StringComparison.Ordinal);
            await Ec2TestData.FailsAsync("UnauthorizedOperation",
                () => ec2.ResetImageAttributeAsync(new ResetImageAttributeRequest { ImageId = shared, Attribute = ResetImageAttributeName.LaunchPermission }), System.Net.HttpStatusCode.Forbidden);
            await ec2.ModifySnapshotAttributeAsync(new ModifySnapshotAttributeRequest
            {
                SnapshotId = snapshotId,
                CreateVolumePermission = new CreateVolumePermissionModifications { Add = [new CreateVolumePermission { UserId = bob.Id }] },
            });
            var launch = await ec2.DescribeImageAttributeAsync(new DescribeImageAttributeRequest { ImageId = shared, Attribute = ImageAttributeName.LaunchPermission });
            Assert.Equal(bob.Id, Assert.Single(launch.ImageAttribute.LaunchPermissions).UserId);
        }

        // Bob's CI user (the seed policy and DescribeImages) finds the image shared with Bob and stores it.
        var ci = await IamUsers.CreateAsync(server, "ci", IamUsers.SeedWithout().Replace("\"ec2:DescribeTags\"", "\"ec2:DescribeTags\",\"ec2:DescribeImages\",\"ec2:DescribeSnapshots\"", StringComparison.Ordinal), bob);
        await ImageFixtures.BucketAsync(server, "ci-archive", bob);
        using (var ec2 = server.Ec2(ci))
        {
            var found = (await ec2.DescribeImagesAsync(new DescribeImagesRequest { ExecutableUsers = ["self"] })).Images;
            Assert.Equal((shared, TestServer.Alice.Id), (Assert.Single(found).ImageId, found[0].OwnerId));
            var restorable = (await ec2.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { RestorableByUserIds = ["self"] })).Snapshots;
            Assert.Equal(snapshotId, Assert.Single(restorable).SnapshotId);
            await Ec2TestData.FailsAsync("InvalidAMIID.NotFound", () => ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = other, Bucket = "ci-archive" }));
            await ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = shared, Bucket = "ci-archive" });
            var task = await ImageFixtures.WaitForStoreAsync(ec2, shared);
            Assert.True(task.StoreTaskState == "Completed", $"The CI user's store ended {task.StoreTaskState}: {task.StoreTaskFailureReason}");
        }

        Assert.Equal((1, 0), await CountAsync(server, "ci-archive", bob));
    }

    private static Task<AwsCliResult> Cli(TestServer server, Account account, params string[] args) => AwsCli.RunAsync(server, account, null, args);

    private static List<System.Text.Json.JsonElement> Images(AwsCliResult result) =>
        [.. result.EnsureSuccess().Json.GetProperty("Images").EnumerateArray()];

    private static List<string> Snapshots(AwsCliResult result) =>
        [.. result.EnsureSuccess().Json.GetProperty("Snapshots").EnumerateArray().Select(s => s.GetProperty("SnapshotId").GetString()!)];

    private static async Task<(int Objects, int Uploads)> CountAsync(TestServer server, string bucket, Account owner)
    {
        var (objects, uploads) = await ImageFixtures.ContentsAsync(server, bucket, owner);
        return (objects.Count, uploads.Count);
    }
}
