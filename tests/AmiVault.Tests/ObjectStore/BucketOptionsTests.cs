using AmiVault.Configuration;

namespace AmiVault.Tests.ObjectStore;

/// <summary>How the bucket backend is configured: the choice is checked at load, per-account credentials bind.</summary>
public sealed class BucketOptionsTests
{
    [Fact]
    public void An_unknown_backend_is_refused_when_options_load()
    {
        var e = Assert.Throws<InvalidOperationException>(() => OptionsLoader.Load(null, new Dictionary<string, string?> { ["Buckets:Backend"] = "minio" }));
        Assert.Contains("minio", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_external_backend_binds_with_per_account_credentials()
    {
        var options = OptionsLoader.Load(null, new Dictionary<string, string?>
        {
            ["Buckets:Backend"] = "external",
            ["Buckets:EndpointUrl"] = "http://127.0.0.1:7480",
            ["Buckets:AccountCredentials:111111111111:Profile"] = "alice-ceph",
            ["Buckets:AccountCredentials:222222222222:AccessKeyId"] = "BOBKEY",
            ["Buckets:AccountCredentials:222222222222:SecretAccessKey"] = "bobsecret",
        });

        Assert.Equal("external", options.Buckets.Backend);
        Assert.True(options.Buckets.ForcePathStyle);
        Assert.Equal("alice-ceph", options.Buckets.AccountCredentials["111111111111"].Profile);
        Assert.Equal("BOBKEY", options.Buckets.AccountCredentials["222222222222"].AccessKeyId);
    }
}
