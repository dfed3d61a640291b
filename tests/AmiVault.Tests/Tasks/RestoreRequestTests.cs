using System.Buffers.Binary;
using System.Net;
using AmiVault.Tests.Ec2;
using AmiVault.Tests.Support;
using Amazon.EC2;
using Amazon.EC2.Model;
using Microsoft.Extensions.DependencyInjection;

namespace AmiVault.Tests.Tasks;

/// <summary>CreateRestoreImageTask's refusals: each with its EC2 error, and no image or snapshot created.</summary>
public sealed class RestoreRequestTests
{
    [Fact]
    public async Task Missing_buckets_and_objects_and_other_accounts_buckets_are_refused()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var (bucket, key) = await StoredImageAsync(server);
        var bobs = await ImageFixtures.BucketAsync(server, "bobs-bucket", TestServer.Bob);
        await ImageFixtures.PutObjectAsync(server, bobs, key, await ImageFixtures.ObjectBytesAsync(server, bucket, key), TestServer.Bob);

        await NothingCreatedAsync(ec2, async () =>
        {
            var e = await Ec2TestData.FailsAsync("InvalidParameterValue", () => RestoreAsync(ec2, "no-such-bucket", key));
            Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
            e = await Ec2TestData.FailsAsync("InvalidParameterValue", () => RestoreAsync(ec2, bucket, "ami-0123456789abcdef0.bin"));
            Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
            e = await Ec2TestData.FailsAsync("InvalidParameterValue", () => RestoreAsync(ec2, bobs, key));
            Assert.Contains("not accessible", e.Message, StringComparison.Ordinal);
            await Ec2TestData.FailsAsync("MissingParameter", () => ec2.CreateRestoreImageTaskAsync(new CreateRestoreImageTaskRequest { Bucket = bucket }));
            await Ec2TestData.FailsAsync("MissingParameter", () => ec2.CreateRestoreImageTaskAsync(new CreateRestoreImageTaskRequest { ObjectKey = key }));
        });
    }

    [Fact]
    public async Task Objects_that_are_not_whole_archives_of_a_supported_version_are_refused()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var (bucket, key) = await StoredImageAsync(server);
        var archive = await ImageFixtures.ObjectBytesAsync(server, bucket, key);

        var newer = archive.ToArray();
        BinaryPrimitives.WriteUInt16LittleEndian(newer.AsSpan(8), 2);
        var changedManifest = archive.ToArray();
        changedManifest[30] ^= 0x20;
        await ImageFixtures.PutObjectAsync(server, bucket, "text.bin", "just some text, not an image"u8.ToArray());
        await ImageFixtures.PutObjectAsync(server, bucket, "truncated.bin", archive[..(archive.Length - 100)]);
        await ImageFixtures.PutObjectAsync(server, bucket, "newer.bin", newer);
        await ImageFixtures.PutObjectAsync(server, bucket, "changed.bin", changedManifest);

        await NothingCreatedAsync(ec2, async () =>
        {
            foreach (var (object_, words) in new[] { ("text.bin", "not an AmiVault image archive"), ("truncated.bin", "truncated"), ("newer.bin", "version 2"), ("changed.bin", "corrupt") })
            {
                var e = await Ec2TestData.FailsAsync("InvalidParameterValue", () => RestoreAsync(ec2, bucket, object_, name: "restored"));
                Assert.Contains(words, e.Message, StringComparison.Ordinal);
            }
        });
    }

    [Fact]
    public async Task Malformed_and_duplicate_names_are_refused()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var (bucket, key) = await StoredImageAsync(server);
        await ImageFixtures.ImageAsync(server, "taken");

        await NothingCreatedAsync(ec2, async () =>
        {
            await Ec2TestData.FailsAsync("InvalidAMIName.Malformed", () => RestoreAsync(ec2, bucket, key, name: "ab"));
            await Ec2TestData.FailsAsync("InvalidAMIName.Malformed", () => RestoreAsync(ec2, bucket, key, name: "web#1"));
            await Ec2TestData.FailsAsync("InvalidAMIName.Malformed", () => RestoreAsync(ec2, bucket, key, name: new string('a', 129)));

            // The stored name is the default, and the image stored under it is still registered here.
            var e = await Ec2TestData.FailsAsync("InvalidAMIName.Duplicate", () => RestoreAsync(ec2, bucket, key));
            Assert.Contains("web server", e.Message, StringComparison.Ordinal);
            await Ec2TestData.FailsAsync("InvalidAMIName.Duplicate", () => RestoreAsync(ec2, bucket, key, name: "taken"));
        });

        var restored = await RestoreAsync(ec2, bucket, key, name: "web server (restored)");
        Assert.Equal("available", (await ImageFixtures.WaitForImageAsync(ec2, restored)).State.Value);
        await Ec2TestData.FailsAsync("InvalidAMIName.Duplicate", () => RestoreAsync(ec2, bucket, key, name: "web server (restored)"));
    }

    [Fact]
    public async Task DryRun_checks_the_request_and_creates_nothing()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var (bucket, key) = await StoredImageAsync(server);

        await NothingCreatedAsync(ec2, async () =>
        {
            await Ec2TestData.FailsAsync("DryRunOperation", () => ec2.CreateRestoreImageTaskAsync(new CreateRestoreImageTaskRequest
            {
                Bucket = bucket,
                ObjectKey = key,
                Name = "dry run",
                DryRun = true,
            }), HttpStatusCode.PreconditionFailed);
            await Ec2TestData.FailsAsync("InvalidAMIName.Duplicate", () => ec2.CreateRestoreImageTaskAsync(new CreateRestoreImageTaskRequest
            {
                Bucket = bucket,
                ObjectKey = key,
                DryRun = true,
            }));
        });
    }

    [Fact]
    public async Task Restores_are_admitted_while_the_restores_in_progress_are_under_the_quota_as_on_AWS()
    {
        // AWS's rule, scaled to a 6 GiB quota: a request is accepted while the restores already in progress total less
        // than the quota, whatever its own size. An 8 GiB image alone is restored and holds off the next; then 1 + 2
        // in progress admit a 4, and 7 refuse the next.
        await using var server = await TestServer.StartAsync("us-east-1", o => o.Tasks.RestoreQuotaGb = 6, GatedBlockStore.Install);
        var gate = server.Server.Services.GetRequiredService<GatedBlockStore>();
        using var ec2 = server.Ec2();
        var bucket = await ImageFixtures.BucketAsync(server, "images");
        var eight = await ImageFixtures.StoreAsync(server, await ImageFixtures.ImageAsync(server, "eight", volumeGib: 8), bucket);
        var four = await ImageFixtures.StoreAsync(server, await ImageFixtures.ImageAsync(server, "four", volumeGib: 4), bucket);
        var two = await ImageFixtures.StoreAsync(server, await ImageFixtures.ImageAsync(server, "two", volumeGib: 2), bucket);
        var one = await ImageFixtures.StoreAsync(server, await ImageFixtures.ImageAsync(server, "one", volumeGib: 1), bucket);

        var held = gate.CloseAsync();
        var large = await RestoreAsync(ec2, bucket, eight, name: "eight again");
        await held;
        Assert.Equal("pending", (await Ec2TestData.ImageAsync(ec2, large)).State.Value);
        await NothingCreatedAsync(ec2, async () =>
        {
            var e = await Ec2TestData.FailsAsync("ResourceLimitExceeded", () => RestoreAsync(ec2, bucket, one, name: "one again"));
            Assert.Contains("6 GiB", e.Message, StringComparison.Ordinal);
        });
        gate.Open();
        Assert.Equal("available", (await ImageFixtures.WaitForImageAsync(ec2, large)).State.Value);

        held = gate.CloseAsync();
        List<string> restored = [await RestoreAsync(ec2, bucket, one, name: "one again")];
        await held;
        restored.Add(await RestoreAsync(ec2, bucket, two, name: "two again"));
        restored.Add(await RestoreAsync(ec2, bucket, four, name: "four again"));
        await NothingCreatedAsync(ec2, () => Ec2TestData.FailsAsync("ResourceLimitExceeded", () => RestoreAsync(ec2, bucket, one, name: "one once more")));

        gate.Open();
        foreach (var imageId in restored)
        {
            Assert.Equal("available", (await ImageFixtures.WaitForImageAsync(ec2, imageId)).State.Value);
        }
    }

    internal static async Task<string> RestoreAsync(AmazonEC2Client ec2, string bucket, string key, string? name = null, List<TagSpecification>? tags = null) =>
        (await ec2.CreateRestoreImageTaskAsync(new CreateRestoreImageTaskRequest { Bucket = bucket, ObjectKey = key, Name = name, TagSpecifications = tags })).ImageId;

    /// <summary>An image named "web server", stored into bucket "images".</summary>
    private static async Task<(string Bucket, string Key)> StoredImageAsync(TestServer server)
    {
        var bucket = await ImageFixtures.BucketAsync(server, "images");
        return (bucket, await ImageFixtures.StoreAsync(server, await ImageFixtures.ImageAsync(server, "web server"), bucket));
    }

    /// <summary>Runs refused requests and checks that they left the account's images and snapshots as they were.</summary>
    private static async Task NothingCreatedAsync(AmazonEC2Client ec2, Func<Task> refused)
    {
        var images = (await Ec2TestData.ImagesAsync(ec2)).Select(i => i.ImageId).Order().ToList();
        var snapshots = (await Ec2TestData.SnapshotsAsync(ec2)).Select(s => s.SnapshotId).Order().ToList();
        await refused();
        Assert.Equal(images, (await Ec2TestData.ImagesAsync(ec2)).Select(i => i.ImageId).Order().ToList());
        Assert.Equal(snapshots, (await Ec2TestData.SnapshotsAsync(ec2)).Select(s => s.SnapshotId).Order().ToList());
    }
}
