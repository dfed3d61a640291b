using System.Security.Cryptography;
using System.Text.Json;
using AmiVault.Tests.Support;
using Amazon.EC2.Model;

namespace AmiVault.Tests.Tasks;

/// <summary>
/// The whole journey with the real AWS CLI v2: a disk uploaded with the EBS direct APIs, registered, stored as one
/// object, carried to a server in another partition with `aws s3 cp`, restored there, and read back block by block.
/// </summary>
[Trait("Category", TestCategories.Process)]
public sealed class StoreRestoreCliTests
{
    [Fact]
    public async Task The_AWS_CLI_stores_an_image_carries_it_to_another_partition_and_restores_it_block_for_block()
    {
        await using var source = await TestServer.StartAsync("us-east-2");
        await using var target = await TestServer.StartAsync("us-gov-west-1");
        var work = Directory.CreateTempSubdirectory("amivault-cli-").FullName;
        try
        {
            // Text, noise and a block of zeros: few blocks, as every CLI run costs a Python start.
            var disk = ImageFixtures.MixedBlocks(seed: 7).Where(b => b.Key < 3).ToDictionary();
            var snapshotId = await UploadSnapshotAsync(source, work, disk);
            var imageId = (await AwsCli.RunAsync(source, "ec2", "register-image", "--name", "cli web server", "--description", "stored by the CLI",
                "--architecture", "x86_64", "--virtualization-type", "hvm", "--boot-mode", "uefi", "--root-device-name", "/dev/xvda",
                "--block-device-mappings", $"DeviceName=/dev/xvda,Ebs={{SnapshotId={snapshotId}}}"))
                .EnsureSuccess().Json.GetProperty("ImageId").GetString()!;

            await ImageFixtures.BucketAsync(source, "east-images");
            var key = (await AwsCli.RunAsync(source, "ec2", "create-store-image-task", "--image-id", imageId, "--bucket", "east-images",
                "--s3-object-tags", "Key=purpose,Value=archive"))
                .EnsureSuccess().Json.GetProperty("ObjectKey").GetString()!;
            Assert.Equal(imageId + ".bin", key);
            (await AwsCli.RunAsync(source, TestServer.Alice, null, CliWaiters.Variables(work), "ec2", "wait", "store-image-task-complete", "--image-ids", imageId)).EnsureSuccess();

            var metadata = (await AwsCli.RunAsync(source, "s3api", "head-object", "--bucket", "east-images", "--key", key)).EnsureSuccess().Json.GetProperty("Metadata");
            Assert.Equal(
                ("cli web server", "stored by the CLI", TestServer.Alice.Id),
                (metadata.GetProperty("ami-name").GetString(), metadata.GetProperty("ami-description").GetString(), metadata.GetProperty("ami-owner-account").GetString()));
            Assert.True(DateTimeOffset.TryParse(metadata.GetProperty("ami-creation-date").GetString(), out _));
            Assert.True(DateTimeOffset.TryParse(metadata.GetProperty("ami-store-date").GetString(), out _));
            Assert.Equal("archive", (await ImageFixtures.Buckets(source).GetObjectTaggingAsync("east-images", key))["purpose"]);

            var carried = Path.Combine(work, key);
            (await AwsCli.RunAsync(source, "s3", "cp", $"s3://east-images/{key}", carried)).EnsureSuccess();
            await ImageFixtures.BucketAsync(target, "gov-images");
            (await AwsCli.RunAsync(target, "s3", "cp", carried, $"s3://gov-images/{key}")).EnsureSuccess();

            var restoredId = (await AwsCli.RunAsync(target, "ec2", "create-restore-image-task", "--bucket", "gov-images", "--object-key", key,
                "--tag-specifications", "ResourceType=snapshot,Tags=[{Key=restored,Value=yes}]"))
                .EnsureSuccess().Json.GetProperty("ImageId").GetString()!;
            Assert.NotEqual(imageId, restoredId);
            (await AwsCli.RunAsync(target, "ec2", "wait", "image-available", "--image-ids", restoredId)).EnsureSuccess();

            using var gov = target.Ec2();
            var image = await Ec2.Ec2TestData.ImageAsync(gov, restoredId);
            Assert.Equal(("cli web server", "stored by the CLI", "uefi"), (image.Name, image.Description, image.BootMode.Value));
            Assert.Equal((imageId, "us-east-2"), (image.SourceImageId, image.SourceImageRegion));
            var restoredSnapshot = image.BlockDeviceMappings.Single().Ebs.SnapshotId;
            var snapshot = Assert.Single((await gov.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { SnapshotIds = [restoredSnapshot] })).Snapshots);
            Assert.Equal(("completed", "root disk"), (snapshot.State.Value, snapshot.Description));
            Assert.Equal([("restored", "yes"), ("role", "root")], snapshot.Tags.Select(t => (t.Key, t.Value)).Order().ToList());

            var expected = new SortedDictionary<long, string>(disk.ToDictionary(b => b.Key, b => Convert.ToHexString(SHA256.HashData(b.Value))));
            Assert.Equal(expected, await ReadSnapshotAsync(target, work, restoredSnapshot));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>start-snapshot, a put-snapshot-block per block (zeros too, as a disk copy tool may send them), complete-snapshot.</summary>
    private static async Task<string> UploadSnapshotAsync(TestServer server, string work, IReadOnlyDictionary<long, byte[]> blocks)
    {
        var snapshotId = (await AwsCli.RunAsync(server, "ebs", "start-snapshot", "--volume-size", "1", "--description", "root disk",
            "--tags", "Key=role,Value=root")).EnsureSuccess().Json.GetProperty("SnapshotId").GetString()!;
        await Task.WhenAll(blocks.Select(async block =>
        {
            var file = Path.Combine(work, $"put-{block.Key}");
            await File.WriteAllBytesAsync(file, block.Value);
            (await AwsCli.RunAsync(server, "ebs", "put-snapshot-block", "--snapshot-id", snapshotId, "--block-index", $"{block.Key}",
                "--block-data", file, "--data-length", "524288", "--checksum", Convert.ToBase64String(SHA256.HashData(block.Value)), "--checksum-algorithm", "SHA256"))
                .EnsureSuccess();
        }));
        var status = (await AwsCli.RunAsync(server, "ebs", "complete-snapshot", "--snapshot-id", snapshotId, "--changed-blocks-count", $"{blocks.Count}"))
            .EnsureSuccess().Json.GetProperty("Status").GetString();
        Assert.Equal("pending", status);
        return snapshotId;
    }

    /// <summary>Every block list-snapshot-blocks names, read with get-snapshot-block, as SHA-256 by index.</summary>
    private static async Task<SortedDictionary<long, string>> ReadSnapshotAsync(TestServer server, string work, string snapshotId)
    {
        var listing = (await AwsCli.RunAsync(server, "ebs", "list-snapshot-blocks", "--snapshot-id", snapshotId)).EnsureSuccess().Json;
        var blocks = listing.GetProperty("Blocks").EnumerateArray().Select(b => (Index: b.GetProperty("BlockIndex").GetInt64(), Token: b.GetProperty("BlockToken").GetString()!)).ToList();
        var read = await Task.WhenAll(blocks.Select(async block =>
        {
            var file = Path.Combine(work, $"get-{block.Index}");
            var answer = (await AwsCli.RunAsync(server, "ebs", "get-snapshot-block", "--snapshot-id", snapshotId, "--block-index", $"{block.Index}",
                "--block-token", block.Token, file)).EnsureSuccess().Json;
            var data = await File.ReadAllBytesAsync(file);
            Assert.Equal(Convert.ToBase64String(SHA256.HashData(data)), answer.GetProperty("Checksum").GetString());
            return (block.Index, Hash: Convert.ToHexString(SHA256.HashData(data)));
        }));
        return new SortedDictionary<long, string>(read.ToDictionary(r => r.Index, r => r.Hash));
    }
}
