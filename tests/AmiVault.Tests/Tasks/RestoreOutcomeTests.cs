using AmiVault.Archive;
using AmiVault.Tests.Ec2;
using AmiVault.Tests.Support;
using Amazon.EC2;
using Amazon.EC2.Model;
using Microsoft.Extensions.DependencyInjection;

namespace AmiVault.Tests.Tasks;

/// <summary>What a restore makes: its image and snapshots while it runs, when it ends, and when the archive is bad.</summary>
public sealed class RestoreOutcomeTests
{
    [Fact]
    public async Task A_restore_shows_a_pending_image_and_pending_snapshots_until_all_data_is_written()
    {
        await using var server = await TestServer.StartAsync("us-east-1", null, GatedBlockStore.Install);
        var gate = server.Server.Services.GetRequiredService<GatedBlockStore>();
        using var ec2 = server.Ec2();
        var bucket = await ImageFixtures.BucketAsync(server, "images");
        var key = await ImageFixtures.StoreAsync(server, await ImageFixtures.ImageAsync(server, "web"), bucket);

        var held = gate.CloseAsync();
        var imageId = await RestoreRequestTests.RestoreAsync(ec2, bucket, key, name: "web restored");
        await held;
        var image = await Ec2TestData.ImageAsync(ec2, imageId);
        Assert.Equal("pending", image.State.Value);
        var snapshot = await SnapshotAsync(ec2, image);
        Assert.Equal(("pending", false), (snapshot.State.Value, snapshot.Progress == "100%"));
        Assert.EndsWith("%", snapshot.Progress, StringComparison.Ordinal);

        gate.Open();
        image = await ImageFixtures.WaitForImageAsync(ec2, imageId);
        Assert.Equal("available", image.State.Value);
        snapshot = await SnapshotAsync(ec2, image);
        Assert.Equal(("completed", "100%"), (snapshot.State.Value, snapshot.Progress));
    }

    [Fact]
    public async Task A_corrupt_frame_fails_the_restore_with_the_image_failed_and_its_snapshots_in_error()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var bucket = await ImageFixtures.BucketAsync(server, "images");
        var key = await ImageFixtures.StoreAsync(server, await ImageFixtures.ImageAsync(server, "web", blocks: ImageFixtures.TextBlocks(8, seed: 3)), bucket);

        // A flipped bit in the frames, which the archive digest does not cover: found only when the data is read.
        var archive = await ImageFixtures.ObjectBytesAsync(server, bucket, key);
        var dataStart = ArchiveFormat.HeaderLength + ArchiveHeader.Parse(archive).ManifestLength;
        var indexStart = ArchiveTrailer.Parse(archive[^ArchiveFormat.TrailerLength..]).IndexOffset;
        archive[(dataStart + indexStart) / 2] ^= 0x01;
        await ImageFixtures.PutObjectAsync(server, bucket, "corrupt.bin", archive);

        var imageId = await RestoreRequestTests.RestoreAsync(ec2, bucket, "corrupt.bin", name: "web corrupt");
        var image = await ImageFixtures.WaitForImageAsync(ec2, imageId);
        Assert.Equal("failed", image.State.Value);
        Assert.Equal("Client.RestoreImageTaskFailed", image.StateReason.Code);
        Assert.StartsWith("s3://images/corrupt.bin is corrupt: The archive is corrupt: frame", image.StateReason.Message, StringComparison.Ordinal);
        var snapshot = await SnapshotAsync(ec2, image);
        Assert.Equal("error", snapshot.State.Value);
        Assert.Equal(image.StateReason.Message, snapshot.StateMessage);
    }

    [Fact]
    public async Task A_block_that_cannot_be_written_fails_the_restore_with_the_image_failed_and_its_snapshots_in_error()
    {
        await using var server = await TestServer.StartAsync("us-east-1", null, GatedBlockStore.Install);
        using var ec2 = server.Ec2();
        var bucket = await ImageFixtures.BucketAsync(server, "images");
        var key = await ImageFixtures.StoreAsync(server, await ImageFixtures.ImageAsync(server, "web", blocks: ImageFixtures.TextBlocks(40, seed: 5)), bucket);

        server.Server.Services.GetRequiredService<GatedBlockStore>().DiskFull = true;
        var image = await ImageFixtures.WaitForImageAsync(ec2, await RestoreRequestTests.RestoreAsync(ec2, bucket, key, name: "web on a full disk"));
        Assert.Equal("failed", image.State.Value);
        Assert.Equal("The task stopped: no space left on the server.", image.StateReason.Message);
        Assert.Equal("error", (await SnapshotAsync(ec2, image)).State.Value);
    }

    [Fact]
    public async Task Restored_snapshots_are_encrypted_exactly_when_the_account_encrypts_by_default()
    {
        await using var server = await TestServer.StartAsync("us-west-2");
        using var ec2 = server.Ec2();
        var bucket = await ImageFixtures.BucketAsync(server, "images");
        var key = await ImageFixtures.StoreAsync(server, await ImageFixtures.ImageAsync(server, "web"), bucket);

        var plain = await ImageFixtures.WaitForImageAsync(ec2, await RestoreRequestTests.RestoreAsync(ec2, bucket, key, name: "plain"));
        await ec2.EnableEbsEncryptionByDefaultAsync(new EnableEbsEncryptionByDefaultRequest());
        var encrypted = await ImageFixtures.WaitForImageAsync(ec2, await RestoreRequestTests.RestoreAsync(ec2, bucket, key, name: "encrypted"));

        var plainSnapshot = await SnapshotAsync(ec2, plain);
        Assert.False(plainSnapshot.Encrypted);
        Assert.Null(plainSnapshot.KmsKeyId);
        Assert.False(plain.BlockDeviceMappings.Single().Ebs.Encrypted);
        var encryptedSnapshot = await SnapshotAsync(ec2, encrypted);
        Assert.True(encryptedSnapshot.Encrypted);
        Assert.Equal($"arn:aws:kms:us-west-2:{TestServer.Alice.Id}:alias/aws/ebs", encryptedSnapshot.KmsKeyId);
        Assert.True(encrypted.BlockDeviceMappings.Single().Ebs.Encrypted);
        Assert.Equal("available", encrypted.State.Value);
    }

    [Fact]
    public async Task Restored_tags_are_the_stored_ones_with_the_requested_ones_on_top()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var bucket = await ImageFixtures.BucketAsync(server, "images");
        var snapshotId = await ImageFixtures.SnapshotAsync(server, TestServer.Alice, 1, ImageFixtures.MixedBlocks(seed: 4), [new("role", "root"), new("tier", "gold")]);
        var imageId = await Ec2TestData.RegisterAsync(ec2, "web", snapshotId, r =>
        {
            r.VirtualizationType = "hvm";
            r.TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Image, Tags = [new Tag("team", "platform"), new Tag("env", "prod")] }];
        });
        var key = await ImageFixtures.StoreAsync(server, imageId, bucket);

        var restored = await ImageFixtures.WaitForImageAsync(ec2, await RestoreRequestTests.RestoreAsync(ec2, bucket, key, name: "web tagged",
        [
            new TagSpecification { ResourceType = ResourceType.Image, Tags = [new Tag("env", "test"), new Tag("owner", "alice")] },
            new TagSpecification { ResourceType = ResourceType.Snapshot, Tags = [new Tag("role", "data"), new Tag("restored", "yes")] },
        ]));

        Assert.Equal(
            [("env", "test"), ("owner", "alice"), ("team", "platform")],
            restored.Tags.Select(t => (t.Key, t.Value)).Order().ToList());
        Assert.Equal(
            [("restored", "yes"), ("role", "data"), ("tier", "gold")],
            (await SnapshotAsync(ec2, restored)).Tags.Select(t => (t.Key, t.Value)).Order().ToList());
    }

    private static async Task<Snapshot> SnapshotAsync(AmazonEC2Client ec2, Image image) =>
        Assert.Single((await ec2.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { SnapshotIds = [image.BlockDeviceMappings.Single().Ebs.SnapshotId] })).Snapshots);
}
