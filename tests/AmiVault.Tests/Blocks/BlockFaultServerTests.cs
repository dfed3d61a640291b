using System.Net;
using System.Security.Cryptography;
using AmiVault.Catalog;
using AmiVault.Client;
using AmiVault.Tests.Ebs;
using AmiVault.Tests.Support;
using AmiVault.Tests.Tasks;
using Amazon.EC2.Model;
using Microsoft.Extensions.DependencyInjection;

namespace AmiVault.Tests.Blocks;

/// <summary>A damaged pack as the clients see it: an EBS error in EBS's format, a store task Failed with a reason; never wrong bytes.</summary>
public sealed class BlockFaultServerTests
{
    [Fact]
    public async Task GetSnapshotBlock_of_a_damaged_block_is_an_InternalServerException_naming_the_damage()
    {
        await using var server = await TestServer.StartAsync();
        using var ebs = server.Ebs();
        var snapshot = (await ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1 })).SnapshotId;
        var data = EbsTestData.Random();
        await ebs.PutSnapshotBlockAsync(snapshot, 4, data);
        await ebs.CompleteSnapshotAsync(snapshot, 1);
        var token = (await ebs.ListSnapshotBlocksAsync(snapshot).ToListAsync()).Single().BlockToken;
        await FlipAsync(server, SHA256.HashData(data));

        var e = await Assert.ThrowsAsync<EbsServiceException>(() => ebs.GetSnapshotBlockAsync(snapshot, 4, token, new byte[AmiVault.Blocks.IBlockStore.BlockSize]));

        Assert.Equal((HttpStatusCode.InternalServerError, "InternalServerException"), (e.StatusCode, e.ErrorType));
        Assert.Contains("damaged", e.ServiceMessage, StringComparison.Ordinal);
        Assert.Contains("checksum", e.ServiceMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_store_of_an_image_with_a_damaged_block_fails_with_a_reason_and_leaves_no_object()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var bucket = await ImageFixtures.BucketAsync(server, "images");
        var imageId = await ImageFixtures.ImageAsync(server, "web");
        var snapshotId = (await Ec2.Ec2TestData.ImageAsync(ec2, imageId)).BlockDeviceMappings.Single().Ebs.SnapshotId;
        var stored = (await server.Catalog().ListBlocksAsync(snapshotId, 0, 1000)).First(b => !AmiVault.Ebs.BlockHashes.IsZeroHash(b.Hash));
        await FlipAsync(server, stored.Hash);

        await ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = imageId, Bucket = bucket });
        var task = await ImageFixtures.WaitForStoreAsync(ec2, imageId);

        Assert.Equal("Failed", task.StoreTaskState);
        Assert.Contains($"A block of snapshot {snapshotId} cannot be read", task.StoreTaskFailureReason, StringComparison.Ordinal);
        Assert.Contains("damaged", task.StoreTaskFailureReason, StringComparison.Ordinal);
        var (objects, uploads) = await ImageFixtures.ContentsAsync(server, bucket);
        Assert.Empty(objects);
        Assert.Empty(uploads);
    }

    /// <summary>Flips one byte of the block's stored data in its pack, under the running server (as a failing disk would).</summary>
    private static async Task FlipAsync(TestServer server, byte[] hash)
    {
        var location = (await server.Server.Services.GetRequiredService<IBlockIndex>().FindAsync(hash))!.Value;
        var pack = Path.Combine(server.DataDir, "blocks", "packs", $"{location.PackId:D10}.pack");
        await using var file = new FileStream(pack, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        file.Position = location.Offset + AmiVault.Blocks.PackFormat.RecordHeaderLength + 7;
        var b = file.ReadByte();
        file.Position -= 1;
        file.WriteByte((byte)(b ^ 1));
    }
}
