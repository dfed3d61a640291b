using AmiVault.Tests.Support;
using Amazon.EC2.Model;

namespace AmiVault.Tests.Ec2;

public sealed class EncryptionByDefaultTests
{
    [Fact]
    public async Task Encryption_by_default_is_off_until_enabled_and_per_account()
    {
        await using var server = await TestServer.StartAsync();
        using var alice = server.Ec2();
        using var bob = server.Ec2(TestServer.Bob);

        var initial = await alice.GetEbsEncryptionByDefaultAsync(new GetEbsEncryptionByDefaultRequest());
        Assert.False(initial.EbsEncryptionByDefault);
        Assert.Equal("none", initial.SseType.Value);

        Assert.True((await alice.EnableEbsEncryptionByDefaultAsync(new EnableEbsEncryptionByDefaultRequest())).EbsEncryptionByDefault);
        var enabled = await alice.GetEbsEncryptionByDefaultAsync(new GetEbsEncryptionByDefaultRequest());
        Assert.True(enabled.EbsEncryptionByDefault);
        Assert.Equal("sse-ebs", enabled.SseType.Value);
        Assert.False((await bob.GetEbsEncryptionByDefaultAsync(new GetEbsEncryptionByDefaultRequest())).EbsEncryptionByDefault);

        Assert.False((await alice.DisableEbsEncryptionByDefaultAsync(new DisableEbsEncryptionByDefaultRequest())).EbsEncryptionByDefault);
        Assert.False((await alice.GetEbsEncryptionByDefaultAsync(new GetEbsEncryptionByDefaultRequest())).EbsEncryptionByDefault);
    }
}
