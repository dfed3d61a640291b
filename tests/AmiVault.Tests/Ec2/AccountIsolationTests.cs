using AmiVault.Tests.Support;
using Amazon.EC2;
using Amazon.EC2.Model;
using static AmiVault.Tests.Ec2.Ec2TestData;

namespace AmiVault.Tests.Ec2;

public sealed class AccountIsolationTests
{
    [Fact]
    public async Task Bob_never_sees_tags_deregisters_or_deletes_Alices_images_and_snapshots()
    {
        await using var server = await TestServer.StartAsync();
        using var alice = server.Ec2();
        using var bob = server.Ec2(TestServer.Bob);
        var snapshot = await SnapshotAsync(server, tags: [new("secret", "alice")]);
        var image = await RegisterAsync(alice, "alices", snapshot, r =>
            r.TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Image, Tags = [new Tag("secret", "alice")] }]);

        Assert.Empty((await bob.DescribeImagesAsync(new DescribeImagesRequest())).Images ?? []);
        Assert.Empty((await bob.DescribeImagesAsync(new DescribeImagesRequest { Owners = [TestServer.Alice.Id] })).Images ?? []);
        Assert.Empty((await bob.DescribeImagesAsync(new DescribeImagesRequest { Filters = [Filter("image-id", image)] })).Images ?? []);
        Assert.Empty((await bob.DescribeSnapshotsAsync(new DescribeSnapshotsRequest())).Snapshots ?? []);
        Assert.Empty((await bob.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { OwnerIds = [TestServer.Alice.Id] })).Snapshots ?? []);
        Assert.Empty((await bob.DescribeTagsAsync(new DescribeTagsRequest())).Tags ?? []);

        await FailsAsync("InvalidAMIID.NotFound", () => bob.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [image] }));
        await FailsAsync("InvalidSnapshot.NotFound", () => bob.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { SnapshotIds = [snapshot] }));
        await FailsAsync("InvalidAMIID.NotFound", () => bob.DescribeImageAttributeAsync(new DescribeImageAttributeRequest { ImageId = image, Attribute = ImageAttributeName.Description }));
        await FailsAsync("InvalidAMIID.NotFound", () => bob.CreateTagsAsync(new CreateTagsRequest([image], [new Tag("pwned", "yes")])));
        await FailsAsync("InvalidSnapshot.NotFound", () => bob.CreateTagsAsync(new CreateTagsRequest([snapshot], [new Tag("pwned", "yes")])));
        await FailsAsync("InvalidAMIID.NotFound", () => bob.DeleteTagsAsync(new DeleteTagsRequest { Resources = [image] }));
        await FailsAsync("InvalidSnapshot.NotFound", () => bob.DeleteTagsAsync(new DeleteTagsRequest { Resources = [snapshot] }));
        await FailsAsync("InvalidAMIID.NotFound", () => bob.DeregisterImageAsync(new DeregisterImageRequest { ImageId = image, DeleteAssociatedSnapshots = true }));
        await FailsAsync("InvalidSnapshot.NotFound", () => bob.DeleteSnapshotAsync(new DeleteSnapshotRequest { SnapshotId = snapshot }));
        await FailsAsync("InvalidSnapshot.NotFound", () => RegisterAsync(bob, "stolen", snapshot));

        var still = await ImageAsync(alice, image);
        Assert.Equal(["secret=alice"], still.Tags.Select(t => $"{t.Key}={t.Value}"));
        Assert.Equal(["secret=alice"], Assert.Single(await SnapshotsAsync(alice)).Tags.Select(t => $"{t.Key}={t.Value}"));
        Assert.Empty(await SnapshotsAsync(bob));
    }
}
