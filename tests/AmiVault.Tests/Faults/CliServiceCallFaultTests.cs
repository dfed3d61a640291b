using AmiVault.Cli.Common;
using AmiVault.Tests.Support;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using Microsoft.AspNetCore.Http;

namespace AmiVault.Tests.Faults;

/// <summary>
/// The CLI's EC2 and SSM clients (<see cref="AwsConnection.CreateEc2"/>, <see cref="AwsConnection.CreateSsm"/>) with
/// the server behind a <see cref="FaultProxy"/>: each call is retried by the one policy (4 attempts by default), not
/// by the SDK. Three throttling or 5xx answers in a row are outlasted (the SDK alone makes 3 attempts), and a fault
/// that never ends is given up on after exactly 4 requests (two retry layers would send many more).
/// </summary>
public sealed class CliServiceCallFaultTests(FaultyBucketFixture fixture) : IClassFixture<FaultyBucketFixture>, IAsyncLifetime
{
    private FaultProxy _proxy = null!;

    public async Task InitializeAsync() => _proxy = await FaultProxy.StartAsync(fixture.Vault.Endpoint);

    private AwsConnection Connection() => AwsConnection.ForKeys(
        new CliHost { Out = TextWriter.Null, Error = TextWriter.Null, Environment = _ => null },
        TestServer.Alice.AccessKeyId, TestServer.Alice.SecretAccessKey, fixture.Vault.Region, _proxy.Endpoint);

    private static bool IsEc2(HttpRequest r, string action) => r.HasFormContentType && r.Form["Action"] == action;

    private static bool IsSsm(HttpRequest r, string action) => r.Headers["X-Amz-Target"] == "AmazonSSM." + action;

    [Theory]
    [InlineData(FaultKind.SlowDown)]
    [InlineData(FaultKind.ServerError)]
    public async Task An_EC2_call_of_the_CLI_outlasts_three_faults_in_a_row(FaultKind fault)
    {
        _proxy.Inject(fault, 3, r => IsEc2(r, "DescribeImages"));
        using var ec2 = Connection().CreateEc2();

        var images = await ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [fixture.ImageId] });

        Assert.Equal(fixture.ImageId, Assert.Single(images.Images).ImageId);
        Assert.Equal(3, _proxy.Injected(fault));
        Assert.Equal(4, _proxy.Requests.Count);
    }

    [Fact]
    public async Task An_EC2_call_of_the_CLI_that_keeps_being_throttled_gives_up_after_four_requests()
    {
        _proxy.Inject(FaultKind.SlowDown, 1000, r => IsEc2(r, "DescribeImages"));
        using var ec2 = Connection().CreateEc2();

        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [fixture.ImageId] }));

        Assert.Equal("RequestLimitExceeded", error.ErrorCode);
        Assert.Equal(4, _proxy.Requests.Count);
    }

    [Theory]
    [InlineData(FaultKind.SlowDown)]
    [InlineData(FaultKind.ServerError)]
    public async Task An_SSM_call_of_the_CLI_outlasts_three_faults_in_a_row_and_one_that_never_ends_is_four_requests(FaultKind fault)
    {
        var name = "/faults/alias-" + Guid.NewGuid().ToString("N")[..8];
        _proxy.Inject(fault, 3, r => IsSsm(r, "PutParameter"));
        using var ssm = Connection().CreateSsm();

        await ssm.PutParameterAsync(new PutParameterRequest { Name = name, Value = fixture.ImageId, Type = ParameterType.String });

        Assert.Equal(3, _proxy.Injected(fault));
        Assert.Equal(4, _proxy.Requests.Count);
        _proxy.Reset();
        _proxy.Inject(fault, 1000, r => IsSsm(r, "GetParameter"));
        await Assert.ThrowsAnyAsync<AmazonSimpleSystemsManagementException>(() => ssm.GetParameterAsync(new GetParameterRequest { Name = name }));
        Assert.Equal(4, _proxy.Requests.Count);
        _proxy.Reset();
        Assert.Equal(fixture.ImageId, (await ssm.GetParameterAsync(new GetParameterRequest { Name = name })).Parameter.Value);
    }

    public async Task DisposeAsync() => await _proxy.DisposeAsync();
}
