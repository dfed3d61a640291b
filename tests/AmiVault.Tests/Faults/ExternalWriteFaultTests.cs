using System.Security.Cryptography;
using AmiVault.Blocks;
using AmiVault.Configuration;
using AmiVault.ObjectStore;
using AmiVault.ObjectStore.External;
using AmiVault.Tests.Support;
using AmiVault.Tests.Tasks;
using Microsoft.AspNetCore.Http;

namespace AmiVault.Tests.Faults;

/// <summary>
/// Writes to an S3 behind a <see cref="FaultProxy"/> that are not plain uploads: a conditional PUT whose answer is
/// lost after the S3 stored it (its retry must not be refused by its own write), and the S3 block backend's pack PUTs
/// (conditional too) under resets, errors and lost answers: every block kept, no pack object written twice.
/// </summary>
public sealed class ExternalWriteFaultTests(FaultyBucketFixture fixture) : IClassFixture<FaultyBucketFixture>, IDisposable
{
    [Fact]
    public async Task A_conditional_put_whose_answer_is_lost_succeeds_and_the_condition_still_refuses_a_real_conflict()
    {
        var bucket = await fixture.NewBucketAsync("cond-lost");
        using var provider = new ExternalObjectStoreProvider(
            new BucketOptions
            {
                Backend = "external",
                EndpointUrl = fixture.Proxy.EndpointUrl,
                AccessKeyId = TestServer.Alice.AccessKeyId,
                SecretAccessKey = TestServer.Alice.SecretAccessKey,
            },
            "us-east-1");
        var store = provider.ForAccount(TestServer.Alice.Id);
        var data = RandomNumberGenerator.GetBytes(300_000);
        var ifAbsent = new ObjectWriteOptions { Condition = new WriteCondition(null, "*") };
        fixture.Proxy.Inject(FaultKind.LoseAnswer, 1, r => r.Method == "PUT" && r.Path.Value!.EndsWith("/only-once", StringComparison.Ordinal));

        var written = await store.PutObjectAsync(bucket, "only-once", new MemoryStream(data), data.Length, ifAbsent);

        Assert.Equal(1, fixture.Proxy.Injected(FaultKind.LoseAnswer));
        Assert.True(ETags.Same(ETags.FromMd5(MD5.HashData(data)), written.ETag));
        Assert.Equal(data, await ImageFixtures.ObjectBytesAsync(fixture.Backing, bucket, "only-once"));
        var other = RandomNumberGenerator.GetBytes(1000);
        var conflict = await Assert.ThrowsAsync<ObjectStoreException>(() => store.PutObjectAsync(bucket, "only-once", new MemoryStream(other), other.Length, ifAbsent));
        Assert.Equal("PreconditionFailed", conflict.Code);
        Assert.Equal(data, await ImageFixtures.ObjectBytesAsync(fixture.Backing, bucket, "only-once"));
    }

    public static TheoryData<FaultKind> PackFaults => [FaultKind.ResetMidBody, FaultKind.ServerError, FaultKind.SlowDown, FaultKind.LoseAnswer];

    [Theory]
    [MemberData(nameof(PackFaults))]
    public async Task A_block_written_to_the_S3_backend_through_a_fault_is_kept_in_exactly_one_pack(FaultKind fault)
    {
        var bucket = "blocks-" + fault.ToString().ToLowerInvariant() + "-" + Guid.NewGuid().ToString("N")[..8];
        static bool IsPackPut(HttpRequest r) => r.Method == "PUT" && r.Path.Value!.Contains("/packs/", StringComparison.Ordinal);
        await using var server = await TestServer.StartAsync("us-east-1", o =>
        {
            o.Blocks.Backend = BlockOptions.S3;
            o.Blocks.EndpointUrl = fixture.Proxy.EndpointUrl;
            o.Blocks.Bucket = bucket;
            o.Blocks.AccessKeyId = TestServer.Alice.AccessKeyId;
            o.Blocks.SecretAccessKey = TestServer.Alice.SecretAccessKey;
            o.Blocks.CacheMiB = 0;
        });
        var block = RandomNumberGenerator.GetBytes(IBlockStore.BlockSize);
        fixture.Proxy.Inject(fault, 1, IsPackPut);

        var snapshotId = await ImageFixtures.SnapshotAsync(server, TestServer.Alice, 1, [new(7, block)]);

        Assert.Equal(1, fixture.Proxy.Injected(fault));
        var read = await ImageFixtures.ReadSnapshotAsync(server, snapshotId);
        Assert.Equal(block, Assert.Single(read).Value);
        var (objects, uploads) = await ImageFixtures.ContentsAsync(fixture.Backing, bucket);
        Assert.Empty(uploads);
        Assert.Single(objects, key => key.Contains("packs/", StringComparison.Ordinal));
    }

    public void Dispose() => fixture.Proxy.Reset();
}
