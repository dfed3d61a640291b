using AmiVault.Configuration;

namespace AmiVault.Tests.Blocks;

/// <summary>How the block backend is configured: the S3 settings bind, and what cannot work is refused at load.</summary>
public sealed class BlockOptionsTests
{
    [Fact]
    public void The_S3_backend_binds_its_settings()
    {
        var options = OptionsLoader.Load(null, new Dictionary<string, string?>
        {
            ["Blocks:Backend"] = "s3",
            ["Blocks:EndpointUrl"] = "http://127.0.0.1:7480",
            ["Blocks:Bucket"] = "amivault-blocks",
            ["Blocks:Prefix"] = "cluster-a",
            ["Blocks:Profile"] = "ceph",
            ["Blocks:CacheMiB"] = "256",
        });

        Assert.Equal(BlockOptions.S3, options.Blocks.Backend);
        Assert.Equal("amivault-blocks", options.Blocks.Bucket);
        Assert.Equal("cluster-a/", options.Blocks.KeyPrefix);
        Assert.Equal("ceph", options.Blocks.Profile);
        Assert.Equal(256, options.Blocks.CacheMiB);
        Assert.Equal(60, options.Blocks.OrphanGraceMinutes);
    }

    [Theory]
    [InlineData("Blocks:Backend", "tape", "neither 'local' nor 's3'")]
    [InlineData("Blocks:Bucket", "", "needs Blocks:Bucket")]
    [InlineData("Blocks:AccessKeyId", "ONLYKEY", "go together")]
    [InlineData("Blocks:Prefix", "/abs", "may not start with '/'")]
    [InlineData("Blocks:CacheMiB", "-1", "at least 0")]
    public void Settings_that_cannot_work_are_refused_when_options_load(string key, string value, string message)
    {
        var settings = new Dictionary<string, string?> { ["Blocks:Backend"] = "s3", ["Blocks:Bucket"] = "amivault-blocks", [key] = value };
        var e = Assert.Throws<InvalidOperationException>(() => OptionsLoader.Load(null, settings));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}
