using System.Text.Json;
using AmiVault.Tests.Support;

namespace AmiVault.Tests.Ec2;

/// <summary>Requests no SDK would send, signed correctly: each gets EC2's error XML with the right code, never a 500.</summary>
[Trait("Category", TestCategories.Process)]
public sealed class ProtocolErrorTests
{
    [Theory]
    [InlineData("Action=LaunchRockets&Version=2016-11-15", 400, "InvalidAction")]
    [InlineData("Version=2016-11-15", 400, "MissingAction")]
    [InlineData("Action=RegisterImage&Version=2016-11-15&RootDeviceName=/dev/xvda", 400, "MissingParameter")]
    [InlineData("Action=DeregisterImage&Version=2016-11-15", 400, "MissingParameter")]
    [InlineData("Action=DeleteSnapshot&Version=2016-11-15&SnapshotId=", 400, "MissingParameter")]
    [InlineData("Action=CreateTags&Version=2016-11-15&Tag.1.Key=a", 400, "MissingParameter")]
    [InlineData("Action=DescribeImages&Version=2016-11-15&DryRun=perhaps", 400, "InvalidParameterValue")]
    [InlineData("Action=DescribeImages&Version=2016-11-15&MaxResults=many", 400, "InvalidParameterValue")]
    [InlineData("Action=DescribeSnapshots&Version=2016-11-15&Filter.1.Name=status", 400, "InvalidParameterValue")]
    [InlineData("Action=DescribeTags&Version=2016-11-15&Filter.1.Value.1=x", 400, "MissingParameter")]
    [InlineData("Action=DescribeImages&Version=2016-11-15&MaxResults=5&NextToken=%00%01", 400, "InvalidPaginationToken")]
    [InlineData("Action=RegisterImage&Version=2016-11-15&Name=x1y&RootDeviceName=/dev/xvda&BlockDeviceMapping.1.DeviceName=/dev/xvda&BlockDeviceMapping.1.Ebs.VolumeSize=99999999999", 400, "InvalidParameterValue")]
    [InlineData("Action=DescribeImages&Version=2015-01-01", 400, "NoSuchVersion")]
    public async Task Malformed_requests_get_EC2_error_codes(string body, int status, string code)
    {
        await using var server = await TestServer.StartAsync();
        var output = await Boto3.RunAsync(server, TestServer.Alice, $$"""
            status, body = raw("{{body}}".encode())
            print(json.dumps({"status": status, "body": body}))
            """);

        using var json = JsonDocument.Parse(output);
        var xml = json.RootElement.GetProperty("body").GetString()!;
        Assert.Equal(status, json.RootElement.GetProperty("status").GetInt32());
        Assert.Contains($"<Code>{code}</Code>", xml, StringComparison.Ordinal);
        Assert.Contains("<RequestID>", xml, StringComparison.Ordinal);
    }
}
