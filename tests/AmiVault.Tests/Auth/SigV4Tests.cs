using System.Net;
using AmiVault.Tests.Support;
using Amazon.EC2;
using Amazon.EC2.Model;

namespace AmiVault.Tests.Auth;

public sealed class SigV4Tests
{
    [Fact]
    public async Task A_request_signed_with_the_wrong_secret_is_an_AuthFailure()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2(secretOverride: "not-the-secret");
        var e = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.DescribeImagesAsync(new DescribeImagesRequest()));
        Assert.Equal("AuthFailure", e.ErrorCode);
        Assert.Equal(HttpStatusCode.Unauthorized, e.StatusCode);
    }

    [Fact]
    public async Task A_request_scoped_to_another_region_is_an_AuthFailure()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2(region: "eu-west-1");
        var e = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.DescribeImagesAsync(new DescribeImagesRequest()));
        Assert.Equal("AuthFailure", e.ErrorCode);
    }

    [Fact]
    public async Task An_unsigned_request_is_refused()
    {
        await using var server = await TestServer.StartAsync();
        using var http = new HttpClient();
        var response = await http.PostAsync(server.Endpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Action"] = "DescribeImages",
            ["Version"] = "2016-11-15",
        }));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("<Code>AuthFailure</Code>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
