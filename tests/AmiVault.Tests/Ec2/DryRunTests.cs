using System.Net;
using AmiVault.Tests.Support;
using Amazon.EC2;
using Amazon.EC2.Model;
using static AmiVault.Tests.Ec2.Ec2TestData;

namespace AmiVault.Tests.Ec2;

public sealed class DryRunTests
{
    [Fact]
    public async Task Every_action_with_DryRun_answers_412_DryRunOperation_and_changes_nothing()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var snapshot = await SnapshotAsync(server, tags: [new("k", "v")]);
        var spare = await SnapshotAsync(server);
        var image = await RegisterAsync(ec2, "dry", snapshot);
        var before = await StateAsync(ec2);

        var calls = new Dictionary<string, Func<Task>>
        {
            ["RegisterImage"] = () => RegisterAsync(ec2, "dry-new", spare, r =>
            {
                r.DryRun = true;
                r.TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Snapshot, Tags = [new Tag("x", "y")] }];
            }),
            ["DescribeImages"] = () => ec2.DescribeImagesAsync(new DescribeImagesRequest { DryRun = true }),
            ["DescribeImageAttribute"] = () => ec2.DescribeImageAttributeAsync(new DescribeImageAttributeRequest { ImageId = image, Attribute = ImageAttributeName.UefiData, DryRun = true }),
            ["DeregisterImage"] = () => ec2.DeregisterImageAsync(new DeregisterImageRequest { ImageId = image, DeleteAssociatedSnapshots = true, DryRun = true }),
            ["DescribeSnapshots"] = () => ec2.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { DryRun = true }),
            ["DeleteSnapshot"] = () => ec2.DeleteSnapshotAsync(new DeleteSnapshotRequest { SnapshotId = spare, DryRun = true }),
            ["CreateTags"] = () => ec2.CreateTagsAsync(new CreateTagsRequest([image, snapshot], [new Tag("new", "tag")]) { DryRun = true }),
            ["DeleteTags"] = () => ec2.DeleteTagsAsync(new DeleteTagsRequest { Resources = [snapshot], DryRun = true }),
            ["DescribeTags"] = () => ec2.DescribeTagsAsync(new DescribeTagsRequest { DryRun = true }),
            ["GetEbsEncryptionByDefault"] = () => ec2.GetEbsEncryptionByDefaultAsync(new GetEbsEncryptionByDefaultRequest { DryRun = true }),
            ["EnableEbsEncryptionByDefault"] = () => ec2.EnableEbsEncryptionByDefaultAsync(new EnableEbsEncryptionByDefaultRequest { DryRun = true }),
            ["DisableEbsEncryptionByDefault"] = () => ec2.DisableEbsEncryptionByDefaultAsync(new DisableEbsEncryptionByDefaultRequest { DryRun = true }),
        };

        foreach (var (action, call) in calls)
        {
            var e = await Assert.ThrowsAsync<AmazonEC2Exception>(call);
            Assert.True(e.ErrorCode == "DryRunOperation", $"{action}: {e.ErrorCode} {e.Message}");
            Assert.Equal(HttpStatusCode.PreconditionFailed, e.StatusCode);
        }

        Assert.Equal(before, await StateAsync(ec2));
    }

    [Fact]
    public async Task A_dry_run_of_an_invalid_request_reports_the_error_not_DryRunOperation()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        await FailsAsync("InvalidAMIID.NotFound", () => ec2.DeregisterImageAsync(new DeregisterImageRequest { ImageId = "ami-0123456789abcdef0", DryRun = true }));
        await FailsAsync("InvalidSnapshot.NotFound", () => ec2.CreateTagsAsync(new CreateTagsRequest(["snap-0123456789abcdef0"], [new Tag("a", "b")]) { DryRun = true }));
    }

    /// <summary>Everything the actions could change, as one comparable text.</summary>
    private static async Task<string> StateAsync(AmazonEC2Client ec2)
    {
        var images = (await ec2.DescribeImagesAsync(new DescribeImagesRequest())).Images ?? [];
        var snapshots = (await ec2.DescribeSnapshotsAsync(new DescribeSnapshotsRequest())).Snapshots ?? [];
        var tags = (await ec2.DescribeTagsAsync(new DescribeTagsRequest())).Tags ?? [];
        var encryption = (await ec2.GetEbsEncryptionByDefaultAsync(new GetEbsEncryptionByDefaultRequest())).EbsEncryptionByDefault;
        return string.Join("\n",
            images.Select(i => $"{i.ImageId} {i.Name} {i.State.Value}").Order()
                .Concat(snapshots.Select(s => $"{s.SnapshotId} {s.State.Value}").Order())
                .Concat(tags.Select(t => $"{t.ResourceId} {t.Key}={t.Value}").Order())
                .Append($"encryption={encryption}"));
    }
}
