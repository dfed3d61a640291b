using AmiVault.Blocks;
using AmiVault.Tests.Support;
using Amazon.EC2.Model;
using Microsoft.Extensions.DependencyInjection;
using static AmiVault.Tests.Ec2.Ec2TestData;
using AmiVault.Ebs;

namespace AmiVault.Tests.Ec2;

public sealed class SnapshotTests
{
    [Fact]
    public async Task DescribeSnapshots_shows_every_field_of_a_snapshot()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var started = new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);
        var completed = await SnapshotAsync(server, sizeGib: 16, encrypted: true, description: "root disk", startTime: started, tags: [new("k", "v")]);
        var pending = await SnapshotAsync(server, sizeGib: 1, status: "pending", progress: 42);

        var snapshots = (await SnapshotsAsync(ec2)).ToDictionary(s => s.SnapshotId);
        var c = snapshots[completed];
        Assert.Equal(("completed", "100%", 16, true, "root disk", TestServer.Alice.Id), (c.State.Value, c.Progress, c.VolumeSize, c.Encrypted, c.Description, c.OwnerId));
        Assert.Equal(started.UtcDateTime, c.StartTime!.Value.ToUniversalTime());
        Assert.Equal(started.AddMinutes(1).UtcDateTime, c.CompletionTime!.Value.ToUniversalTime());
        Assert.StartsWith("arn:aws:kms:", c.KmsKeyId, StringComparison.Ordinal);
        Assert.Equal("vol-ffffffff", c.VolumeId);
        Assert.Equal("standard", c.StorageTier.Value);
        Assert.Equal("k=v", Assert.Single(c.Tags, t => t.Key == "k") is { } t ? $"{t.Key}={t.Value}" : null);
        var p = snapshots[pending];
        Assert.Equal(("pending", "42%", 1, false, ""), (p.State.Value, p.Progress, p.VolumeSize, p.Encrypted, p.Description));
        Assert.Null(p.CompletionTime);
    }

    [Fact]
    public async Task Each_snapshot_filter_selects_the_snapshots_it_names()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var a = await SnapshotAsync(server, sizeGib: 8, description: "daily backup", tags: [new("team", "red")]);
        var b = await SnapshotAsync(server, sizeGib: 100, encrypted: true, status: "pending", progress: 30, description: "weekly backup");

        async Task<string[]> Ids(params Filter[] filters) => [.. (await SnapshotsAsync(ec2, filters)).Select(s => s.SnapshotId).Order()];
        string[] both = [.. new[] { a, b }.Order()];
        Assert.Equal([a], await Ids(Filter("snapshot-id", a)));
        Assert.Equal([b], await Ids(Filter("status", "pending")));
        Assert.Equal([a], await Ids(Filter("status", "completed", "error")));
        Assert.Equal([b], await Ids(Filter("volume-size", "100")));
        Assert.Equal(both, await Ids(Filter("owner-id", TestServer.Alice.Id)));
        Assert.Empty(await Ids(Filter("owner-id", TestServer.Bob.Id)));
        Assert.Equal([a], await Ids(Filter("description", "daily*")));
        Assert.Equal(both, await Ids(Filter("description", "*backup")));
        Assert.Equal([b], await Ids(Filter("encrypted", "true")));
        Assert.Equal([a], await Ids(Filter("encrypted", "false")));
        Assert.Equal([a], await Ids(Filter("tag:team", "red")));
        Assert.Equal([a], await Ids(Filter("tag-key", "team")));
        Assert.Empty(await Ids(Filter("tag:team", "blue")));
        Assert.Equal([a], await Ids(Filter("progress", "100%")));
        Assert.Equal(both, await Ids(Filter("volume-id", "vol-ffffffff"), Filter("storage-tier", "standard")));
        await FailsAsync("InvalidParameterValue", () => SnapshotsAsync(ec2, Filter("size", "8")));
    }

    [Fact]
    public async Task Snapshot_ids_owners_and_restorable_by_narrow_to_the_callers_snapshots()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var mine = await SnapshotAsync(server);
        var other = await SnapshotAsync(server);

        async Task<string[]> Ids(DescribeSnapshotsRequest request) => [.. ((await ec2.DescribeSnapshotsAsync(request)).Snapshots ?? []).Select(s => s.SnapshotId)];
        Assert.Equal([mine], await Ids(new DescribeSnapshotsRequest { SnapshotIds = [mine] }));
        Assert.Equal(2, (await Ids(new DescribeSnapshotsRequest { OwnerIds = ["self"] })).Length);
        Assert.Equal(2, (await Ids(new DescribeSnapshotsRequest { OwnerIds = [TestServer.Alice.Id], RestorableByUserIds = ["self"] })).Length);
        Assert.Empty(await Ids(new DescribeSnapshotsRequest { OwnerIds = ["amazon"] }));
        Assert.Empty(await Ids(new DescribeSnapshotsRequest { RestorableByUserIds = [TestServer.Bob.Id] }));
        Assert.Empty(await Ids(new DescribeSnapshotsRequest { RestorableByUserIds = ["all"] }));
        await FailsAsync("InvalidSnapshot.NotFound", () => Ids(new DescribeSnapshotsRequest { SnapshotIds = [other, "snap-0123456789abcdef0"] }));
        await FailsAsync("InvalidSnapshotID.Malformed", () => Ids(new DescribeSnapshotsRequest { SnapshotIds = ["snap-12"] }));
        await FailsAsync("InvalidParameterCombination", () => Ids(new DescribeSnapshotsRequest { SnapshotIds = [mine], MaxResults = 5 }));
    }

    [Fact]
    public async Task Snapshot_pages_cover_every_snapshot_once_and_a_token_of_another_account_is_refused()
    {
        await using var server = await TestServer.StartAsync();
        using var alice = server.Ec2();
        using var bob = server.Ec2(TestServer.Bob);
        var created = new List<string>();
        for (var i = 0; i < 11; i++)
        {
            created.Add(await SnapshotAsync(server, startTime: DateTimeOffset.UtcNow.AddMinutes(-i)));
        }

        var seen = new List<string>();
        string? token = null;
        do
        {
            var page = await alice.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { MaxResults = 5, NextToken = token });
            seen.AddRange(page.Snapshots.Select(s => s.SnapshotId));
            token = page.NextToken;
        }
        while (token is not null);

        Assert.Equal(created.Order(), seen.Order());
        Assert.Equal(seen.Count, seen.Distinct().Count());
        var aliceToken = (await alice.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { MaxResults = 5 })).NextToken;
        await FailsAsync("InvalidPaginationToken", () => bob.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { MaxResults = 5, NextToken = aliceToken }));
        await FailsAsync("InvalidPaginationToken", () => alice.DescribeImagesAsync(new DescribeImagesRequest { MaxResults = 5, NextToken = aliceToken }));
    }

    [Fact]
    public async Task A_snapshot_an_image_uses_cannot_be_deleted_until_the_image_is_deregistered()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var snapshot = await SnapshotAsync(server);
        var image = await RegisterAsync(ec2, "user", snapshot);

        var e = await FailsAsync("InvalidSnapshot.InUse", () => ec2.DeleteSnapshotAsync(new DeleteSnapshotRequest { SnapshotId = snapshot }));
        Assert.Contains(image, e.Message, StringComparison.Ordinal);
        Assert.Single(await SnapshotsAsync(ec2));

        await ec2.DeregisterImageAsync(new DeregisterImageRequest { ImageId = image });
        await ec2.DeleteSnapshotAsync(new DeleteSnapshotRequest { SnapshotId = snapshot });
        Assert.Empty(await SnapshotsAsync(ec2));
        await FailsAsync("InvalidSnapshot.NotFound", () => ec2.DeleteSnapshotAsync(new DeleteSnapshotRequest { SnapshotId = snapshot }));
        await FailsAsync("InvalidSnapshotID.Malformed", () => ec2.DeleteSnapshotAsync(new DeleteSnapshotRequest { SnapshotId = "vol-0123456789abcdef0" }));
    }

    [Fact]
    public async Task Deleting_a_snapshot_reclaims_the_blocks_no_other_snapshot_shares()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var catalog = server.Server.Services.GetRequiredService<AmiVault.Catalog.ISnapshotCatalog>();
        var store = server.Server.Services.GetRequiredService<PackBlockStore>();
        var deleted = await SnapshotAsync(server);
        var kept = await SnapshotAsync(server);
        var own = await PutBlockAsync(deleted, 0, 1);
        var shared = await PutBlockAsync(deleted, 1, 2);
        await PutBlockAsync(kept, 0, 2);

        await ec2.DeleteSnapshotAsync(new DeleteSnapshotRequest { SnapshotId = deleted });

        Assert.Null(await catalog.GetAsync(deleted));
        Assert.False(await store.ContainsAsync(own));
        Assert.True(await store.ContainsAsync(shared));
        Assert.Equal(1, await catalog.CountBlocksAsync(kept));

        async Task<byte[]> PutBlockAsync(string snapshotId, long index, byte fill)
        {
            var data = Enumerable.Repeat(fill, IBlockStore.BlockSize).ToArray();
            var hash = BlockHashes.Compute(data);
            await store.PutAsync(BlockScope.Plain, hash, data, () => catalog.PutBlockAsync(snapshotId, index, hash));
            return hash;
        }
    }

    [Fact]
    public async Task Deregistering_with_DeleteAssociatedSnapshots_deletes_the_snapshots_no_other_image_uses()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var own = await SnapshotAsync(server);
        var shared = await SnapshotAsync(server);
        var image = await RegisterAsync(ec2, "first", own, r =>
            r.BlockDeviceMappings.Add(new BlockDeviceMapping { DeviceName = "/dev/xvdb", Ebs = new EbsBlockDevice { SnapshotId = shared } }));
        var other = await RegisterAsync(ec2, "second", shared);

        var response = await ec2.DeregisterImageAsync(new DeregisterImageRequest { ImageId = image, DeleteAssociatedSnapshots = true });

        Assert.True(response.Return);
        var results = response.DeleteSnapshotResults.ToDictionary(r => r.SnapshotId, r => r.ReturnCode.Value);
        Assert.Equal(new Dictionary<string, string> { [own] = "success", [shared] = "skipped" }, results);
        Assert.Equal([shared], (await SnapshotsAsync(ec2)).Select(s => s.SnapshotId));
        Assert.Equal([other], (await ImagesAsync(ec2)).Select(i => i.ImageId));
        await FailsAsync("InvalidAMIID.NotFound", () => ec2.DeregisterImageAsync(new DeregisterImageRequest { ImageId = image }));
    }

    [Fact]
    public async Task Deregistering_without_DeleteAssociatedSnapshots_keeps_the_snapshots()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var snapshot = await SnapshotAsync(server);
        var image = await RegisterAsync(ec2, "keep", snapshot);

        var response = await ec2.DeregisterImageAsync(new DeregisterImageRequest { ImageId = image });
        Assert.True(response.Return);
        Assert.Empty(response.DeleteSnapshotResults ?? []);
        Assert.Empty(await ImagesAsync(ec2));
        Assert.Single(await SnapshotsAsync(ec2));
    }
}
