using System.Text.Json;
using AmiVault.Tests.Support;
using static AmiVault.Tests.Ec2.Ec2TestData;

namespace AmiVault.Tests.Ec2;

/// <summary>
/// List members are read by their indices, whatever the gaps, as AWS reads them (the SDKs number from 1 without gaps,
/// but hand-written and other clients need not). Signed requests sent with botocore's signer; results read with boto3.
/// </summary>
public sealed class ListParameterTests
{
    [Fact]
    public async Task Members_after_a_gap_are_read_in_the_order_of_their_indices()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var root = await SnapshotAsync(server, sizeGib: 2);
        var data = await SnapshotAsync(server, sizeGib: 3);
        var other = await RegisterAsync(ec2, "other", await SnapshotAsync(server));

        var output = await Boto3.RunAsync(server, TestServer.Alice, $$"""
            import re
            status, body = raw({"Action": "RegisterImage", "Version": "2016-11-15", "Name": "gappy", "RootDeviceName": "/dev/xvda",
                "BlockDeviceMapping.7.DeviceName": "/dev/sdc", "BlockDeviceMapping.7.Ebs.SnapshotId": "{{data}}",
                "BlockDeviceMapping.3.DeviceName": "/dev/xvda", "BlockDeviceMapping.3.Ebs.SnapshotId": "{{root}}"})
            assert status == 200, body
            image_id = re.search("<imageId>(.*)</imageId>", body).group(1)
            status, body = raw({"Action": "CreateTags", "Version": "2016-11-15", "ResourceId.2": image_id,
                "Tag.3.Key": "team", "Tag.3.Value": "blue", "Tag.9.Key": "tier", "Tag.9.Value": "gold"})
            assert status == 200, body
            status, by_id = raw({"Action": "DescribeImages", "Version": "2016-11-15", "ImageId.2": image_id})
            status, by_filter = raw({"Action": "DescribeImages", "Version": "2016-11-15", "Owner.5": "self",
                "Filter.2.Name": "tag:team", "Filter.2.Value.4": "blue"})
            image = ec2.describe_images(ImageIds=[image_id])["Images"][0]
            print(json.dumps({"image": image, "by_id": re.findall("<imageId>(.*?)</imageId>", by_id),
                "by_filter": re.findall("<imageId>(.*?)</imageId>", by_filter)}, default=str))
            """);

        using var json = JsonDocument.Parse(output);
        var image = json.RootElement.GetProperty("image");
        var imageId = image.GetProperty("ImageId").GetString()!;
        Assert.Equal(
            [("/dev/xvda", root), ("/dev/sdc", data)],
            image.GetProperty("BlockDeviceMappings").EnumerateArray()
                .Select(m => (m.GetProperty("DeviceName").GetString(), m.GetProperty("Ebs").GetProperty("SnapshotId").GetString())));
        Assert.Equal(
            ["team=blue", "tier=gold"],
            image.GetProperty("Tags").EnumerateArray().Select(t => $"{t.GetProperty("Key").GetString()}={t.GetProperty("Value").GetString()}").Order());
        Assert.Equal([imageId], json.RootElement.GetProperty("by_id").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal([imageId], json.RootElement.GetProperty("by_filter").EnumerateArray().Select(e => e.GetString()));
        Assert.NotEqual(other, imageId);
    }

    [Theory]
    [InlineData("ImageId.0")]
    [InlineData("ImageId.-1")]
    [InlineData("ImageId.01")]
    [InlineData("ImageId.x")]
    [InlineData("ImageId.99999999999")]
    [InlineData("Filter.0.Name")]
    [InlineData("Filter.1.Value.0")]
    public async Task An_index_that_is_not_a_positive_integer_is_refused(string parameter)
    {
        await using var server = await TestServer.StartAsync();
        var output = await Boto3.RunAsync(server, TestServer.Alice, $$"""
            status, body = raw({"Action": "DescribeImages", "Version": "2016-11-15", "Filter.1.Name": "name", "Filter.1.Value.1": "x", "{{parameter}}": "x"})
            print(json.dumps({"status": status, "body": body}))
            """);

        using var json = JsonDocument.Parse(output);
        Assert.Equal(400, json.RootElement.GetProperty("status").GetInt32());
        var body = json.RootElement.GetProperty("body").GetString()!;
        Assert.Contains("<Code>InvalidParameterValue</Code>", body, StringComparison.Ordinal);
        Assert.Contains(parameter, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_parameter_given_twice_is_refused_by_its_name_without_joining_the_values()
    {
        await using var server = await TestServer.StartAsync();
        var output = await Boto3.RunAsync(server, TestServer.Alice, """
            status, body = raw(b"Action=DescribeImages&Version=2016-11-15&ImageId.1=ami-0123456789abcdef0&ImageId.1=ami-0123456789abcdef1")
            print(json.dumps({"status": status, "body": body}))
            """);

        using var json = JsonDocument.Parse(output);
        Assert.Equal(400, json.RootElement.GetProperty("status").GetInt32());
        var body = json.RootElement.GetProperty("body").GetString()!;
        Assert.Contains("<Code>InvalidParameterValue</Code>", body, StringComparison.Ordinal);
        Assert.Contains("ImageId.1 is given more than once", body, StringComparison.Ordinal);
        Assert.DoesNotContain("ami-0123456789abcdef0,", body, StringComparison.Ordinal);
    }
}
