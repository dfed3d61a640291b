using System.Security.Cryptography;
using AmiVault.Tests.Support;
using Amazon.EC2.Model;

namespace AmiVault.Tests.Ec2;

/// <summary>The README's flow with the real AWS CLI v2: upload a snapshot with the EBS direct APIs, register, find, clean up.</summary>
[Trait("Category", TestCategories.Process)]
public sealed class AwsCliTests
{
    [Fact]
    public async Task The_AWS_CLI_uploads_a_snapshot_registers_an_image_finds_it_and_cleans_up()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var blockFile = Path.Combine(server.DataDir, "block.bin");
        var block = Enumerable.Repeat((byte)0x5a, 524288).ToArray();
        await File.WriteAllBytesAsync(blockFile, block);

        var snapshotId = (await AwsCli.RunAsync(server, "ebs", "start-snapshot", "--volume-size", "1", "--description", "from the cli"))
            .EnsureSuccess().Json.GetProperty("SnapshotId").GetString()!;
        (await AwsCli.RunAsync(server, "ebs", "put-snapshot-block", "--snapshot-id", snapshotId, "--block-index", "0", "--block-data", blockFile,
            "--data-length", "524288", "--checksum", Convert.ToBase64String(SHA256.HashData(block)), "--checksum-algorithm", "SHA256")).EnsureSuccess();
        (await AwsCli.RunAsync(server, "ebs", "complete-snapshot", "--snapshot-id", snapshotId, "--changed-blocks-count", "1")).EnsureSuccess();
        await WaitUntilCompletedAsync(ec2, snapshotId);

        var imageId = (await AwsCli.RunAsync(server, "ec2", "register-image", "--name", "cli-image", "--architecture", "x86_64",
            "--virtualization-type", "hvm", "--root-device-name", "/dev/xvda", "--block-device-mappings", $"DeviceName=/dev/xvda,Ebs={{SnapshotId={snapshotId}}}"))
            .EnsureSuccess().Json.GetProperty("ImageId").GetString()!;
        var images = (await AwsCli.RunAsync(server, "ec2", "describe-images", "--owners", "self", "--filters", "Name=name,Values=cli-*"))
            .EnsureSuccess().Json.GetProperty("Images");
        Assert.Equal(1, images.GetArrayLength());
        Assert.Equal(imageId, images[0].GetProperty("ImageId").GetString());
        Assert.Equal(snapshotId, images[0].GetProperty("BlockDeviceMappings")[0].GetProperty("Ebs").GetProperty("SnapshotId").GetString());
        Assert.Equal(1, images[0].GetProperty("BlockDeviceMappings")[0].GetProperty("Ebs").GetProperty("VolumeSize").GetInt32());

        // The CLI adds MaxResults=1000 to describe-snapshots on its own.
        var snapshot = (await AwsCli.RunAsync(server, "ec2", "describe-snapshots", "--owner-ids", "self"))
            .EnsureSuccess().Json.GetProperty("Snapshots")[0];
        Assert.Equal(("completed", "100%", "from the cli"), (snapshot.GetProperty("State").GetString(), snapshot.GetProperty("Progress").GetString(), snapshot.GetProperty("Description").GetString()));

        (await AwsCli.RunAsync(server, "ec2", "deregister-image", "--image-id", imageId)).EnsureSuccess();
        (await AwsCli.RunAsync(server, "ec2", "delete-snapshot", "--snapshot-id", snapshotId)).EnsureSuccess();
        Assert.Empty((await ec2.DescribeSnapshotsAsync(new DescribeSnapshotsRequest())).Snapshots ?? []);
    }

    private static async Task WaitUntilCompletedAsync(Amazon.EC2.AmazonEC2Client ec2, string snapshotId)
    {
        // Completion is asynchronous in EBS; the CLI waiter polls every 15 s, which is too slow for a test.
        for (var attempt = 0; attempt < 300; attempt++)
        {
            var state = (await ec2.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { SnapshotIds = [snapshotId] })).Snapshots[0].State.Value;
            if (state == "completed")
            {
                return;
            }

            Assert.Equal("pending", state);
            await Task.Delay(100);
        }

        Assert.Fail($"{snapshotId} did not complete.");
    }
}
