using AmiVault.Configuration;
using AmiVault.ObjectStore;
using AmiVault.ObjectStore.External;
using AmiVault.Tests.Support;

namespace AmiVault.Tests.ObjectStore;

/// <summary>The object-store contract, run against the external store talking to a real Ceph RGW.</summary>
[Trait("Category", TestCategories.Ceph)]
[Collection(CephCollection.Name)]
public sealed class ExternalObjectStoreContractTests(CephRgwFixture ceph) : ObjectStoreContractTests, IDisposable
{
    private readonly ExternalObjectStoreProvider _provider = new(
        new BucketOptions
        {
            Backend = "external",
            EndpointUrl = ceph.EndpointUrl,
            AccessKeyId = ceph.AccessKey,
            SecretAccessKey = ceph.SecretKey,
            AccountCredentials = { ["222222222222"] = new ExternalCredentialOptions { AccessKeyId = "NOSUCHKEY", SecretAccessKey = "nosuchsecret" } },
        },
        "us-east-1");

    private protected override IObjectStore Store => _provider.ForAccount("111111111111");

    [Fact]
    public async Task An_account_with_its_own_credentials_uses_them()
    {
        var e = await Assert.ThrowsAsync<ObjectStoreException>(() => _provider.ForAccount("222222222222").ListBucketsAsync());
        Assert.Equal("InvalidAccessKeyId", e.Code);
        Assert.Equal(403, e.Status);
    }

    [Fact]
    public async Task Credentials_can_come_from_a_profile_of_the_shared_credentials_file()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, $"[ceph-test]\naws_access_key_id = {ceph.AccessKey}\naws_secret_access_key = {ceph.SecretKey}\n");
        var previous = Environment.GetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE");
        Environment.SetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE", file);
        try
        {
            using var provider = new ExternalObjectStoreProvider(new BucketOptions { Backend = "external", EndpointUrl = ceph.EndpointUrl, Profile = "ceph-test" }, "us-east-1");
            var bucket = NewBucketName();
            await provider.ForAccount("111111111111").CreateBucketAsync(bucket);
            Assert.Contains(await Store.ListBucketsAsync(), b => b.Name == bucket);
        }
        finally
        {
            Environment.SetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE", previous);
            File.Delete(file);
        }
    }

    public void Dispose() => _provider.Dispose();
}
