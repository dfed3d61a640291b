using System.Text.Json;
using AmiVault.Tests.Support;
using static AmiVault.Tests.Ec2.Ec2TestData;

namespace AmiVault.Tests.Ec2;

/// <summary>botocore's own serializer and parser against the server: what the AWS CLI and boto3 users get.</summary>
[Trait("Category", TestCategories.Process)]
public sealed class Boto3WireTests
{
    [Fact]
    public async Task Boto3_registers_tags_and_describes_an_image_with_its_mappings()
    {
        await using var server = await TestServer.StartAsync();
        var snapshot = await SnapshotAsync(server, sizeGib: 4);
        var output = await Boto3.RunAsync(server, TestServer.Alice, $$$"""
            image_id = ec2.register_image(Name="boto-image", Architecture="x86_64", VirtualizationType="hvm", EnaSupport=True,
                BootMode="uefi", Description="from boto3", RootDeviceName="/dev/xvda",
                BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"SnapshotId": "{{{snapshot}}}", "VolumeType": "gp3"}},
                                     {"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"}])["ImageId"]
            ec2.create_tags(Resources=[image_id], Tags=[{"Key": "made-by", "Value": "boto3"}])
            image = ec2.describe_images(ImageIds=[image_id])["Images"][0]
            ec2.get_waiter("image_available").wait(ImageIds=[image_id], WaiterConfig={"Delay": 1, "MaxAttempts": 2})
            print(json.dumps({"id": image_id, "image": image}, default=str))
            """);

        using var json = JsonDocument.Parse(output);
        var image = json.RootElement.GetProperty("image");
        Assert.Equal(json.RootElement.GetProperty("id").GetString(), image.GetProperty("ImageId").GetString());
        Assert.Equal("boto-image", image.GetProperty("Name").GetString());
        Assert.Equal("x86_64", image.GetProperty("Architecture").GetString());
        Assert.Equal("hvm", image.GetProperty("VirtualizationType").GetString());
        Assert.True(image.GetProperty("EnaSupport").GetBoolean());
        Assert.Equal("uefi", image.GetProperty("BootMode").GetString());
        Assert.Equal("available", image.GetProperty("State").GetString());
        Assert.False(image.GetProperty("Public").GetBoolean());
        Assert.Equal(TestServer.Alice.Id, image.GetProperty("OwnerId").GetString());
        var root = image.GetProperty("BlockDeviceMappings")[0];
        Assert.Equal("/dev/xvda", root.GetProperty("DeviceName").GetString());
        Assert.Equal(snapshot, root.GetProperty("Ebs").GetProperty("SnapshotId").GetString());
        Assert.Equal(4, root.GetProperty("Ebs").GetProperty("VolumeSize").GetInt32());
        Assert.Equal(3000, root.GetProperty("Ebs").GetProperty("Iops").GetInt32());
        Assert.True(root.GetProperty("Ebs").GetProperty("DeleteOnTermination").GetBoolean());
        Assert.Equal("ephemeral0", image.GetProperty("BlockDeviceMappings")[1].GetProperty("VirtualName").GetString());
        var tag = image.GetProperty("Tags")[0];
        Assert.Equal(("made-by", "boto3"), (tag.GetProperty("Key").GetString(), tag.GetProperty("Value").GetString()));
    }

    [Fact]
    public async Task The_boto3_paginators_walk_every_page_of_snapshots_and_tags()
    {
        // DescribeImages pagination is covered with AWSSDK.EC2: the botocore on these machines (1.29) predates it.
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        for (var i = 0; i < 8; i++)
        {
            await RegisterAsync(ec2, $"page-{i}", await SnapshotAsync(server, tags: [new("n", i.ToString(System.Globalization.CultureInfo.InvariantCulture))]));
        }

        var output = await Boto3.RunAsync(server, TestServer.Alice, """
            def walk(operation, key):
                pages = list(ec2.get_paginator(operation).paginate(PaginationConfig={"PageSize": 5}))
                return {"pages": len(pages), "items": sum(len(p[key]) for p in pages)}
            print(json.dumps({"snapshots": walk("describe_snapshots", "Snapshots"), "tags": walk("describe_tags", "Tags")}))
            """);

        using var json = JsonDocument.Parse(output);
        foreach (var name in new[] { "snapshots", "tags" })
        {
            Assert.Equal(2, json.RootElement.GetProperty(name).GetProperty("pages").GetInt32());
            Assert.Equal(8, json.RootElement.GetProperty(name).GetProperty("items").GetInt32());
        }
    }

    [Fact]
    public async Task Boto3_parses_error_codes_dry_runs_and_deregistration_results()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var snapshot = await SnapshotAsync(server);
        var image = await RegisterAsync(ec2, "errors", snapshot);
        var output = await Boto3.RunAsync(server, TestServer.Alice, $$"""
            import botocore.exceptions
            def code(call):
                try:
                    call()
                    return "ok"
                except botocore.exceptions.ClientError as e:
                    return "%s %s" % (e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"])
            print(json.dumps({
                "notfound": code(lambda: ec2.describe_images(ImageIds=["ami-0123456789abcdef0"])),
                "inuse": code(lambda: ec2.delete_snapshot(SnapshotId="{{snapshot}}")),
                "dryrun": code(lambda: ec2.create_tags(Resources=["{{image}}"], Tags=[{"Key": "a", "Value": "b"}], DryRun=True)),
                "encryption": ec2.get_ebs_encryption_by_default()["EbsEncryptionByDefault"],
                "tags": code(lambda: ec2.delete_tags(Resources=["{{image}}"], Tags=[{"Key": "a"}])),
                "deregister": ec2.deregister_image(ImageId="{{image}}")["ResponseMetadata"]["HTTPStatusCode"],
            }))
            """);

        using var json = JsonDocument.Parse(output);
        Assert.Equal("InvalidAMIID.NotFound 400", json.RootElement.GetProperty("notfound").GetString());
        Assert.Equal("InvalidSnapshot.InUse 400", json.RootElement.GetProperty("inuse").GetString());
        Assert.Equal("DryRunOperation 412", json.RootElement.GetProperty("dryrun").GetString());
        Assert.False(json.RootElement.GetProperty("encryption").GetBoolean());
        Assert.Equal("ok", json.RootElement.GetProperty("tags").GetString());
        Assert.Equal(200, json.RootElement.GetProperty("deregister").GetInt32());
        Assert.Empty(await ImagesAsync(ec2));
    }
}
