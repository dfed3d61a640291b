using System.Text.Json;
using AmiVault.Archive;
using AmiVault.Tests.Ec2;
using AmiVault.Tests.Faults;
using AmiVault.Tests.Support;
using AmiVault.Tests.Tasks;
using Amazon.EC2.Model;
using Amazon.S3;
using Amazon.S3.Model;

namespace AmiVault.Tests.Cli;

/// <summary>`amivault sync` between two servers standing for two partitions, with different accounts and keys.</summary>
public sealed class SyncTests(SyncImagesFixture fixture) : IClassFixture<SyncImagesFixture>, IDisposable
{
    private readonly AmivaultCli _cli = new AmivaultCli()
        .Profile("east", TestServer.Alice, fixture.East)
        .Profile("gov", TestServer.Bob, fixture.Gov);

    [Fact]
    public async Task Stored_images_are_synced_byte_exact_and_restored_then_a_second_run_copies_only_a_new_one_and_a_third_nothing()
    {
        await fixture.GovBucketAsync("mirror");
        string[] sync = ["sync", "s3://golden", "s3://mirror/east/", "--source-profile", "east", "--dest-profile", "gov", "--restore", "--output", "json"];
        var before = fixture.Images.ToList();
        using var govEc2 = fixture.Gov.Ec2(TestServer.Bob);
        var govImages = (await Ec2TestData.ImagesAsync(govEc2)).Count;

        var first = (await _cli.RunAsync(sync)).EnsureSuccess();

        var lines = Lines(first);
        var summary = lines[^1].GetProperty("Summary");
        Assert.Equal(before.Count, summary.GetProperty("Copied").GetInt32());
        Assert.Equal(before.Count, summary.GetProperty("Restored").GetInt32());
        Assert.Equal(0, summary.GetProperty("Failed").GetInt32());
        using var eastEc2 = fixture.East.Ec2(TestServer.Alice);
        foreach (var (imageId, name, key) in before)
        {
            var line = Assert.Single(lines, l => l.TryGetProperty("Key", out var k) && k.GetString() == key);
            Assert.Equal("copied", line.GetProperty("Status").GetString());
            Assert.Equal("size, ETag and archive digest", line.GetProperty("Verified").GetString());
            Assert.Equal("restored", line.GetProperty("Restore").GetString());
            var source = await SyncImagesFixture.BytesAsync(fixture.EastS3, SyncImagesFixture.SourceBucket, key);
            var copy = await SyncImagesFixture.BytesAsync(fixture.GovS3, "mirror", "east/" + key);
            Assert.True(source.SequenceEqual(copy), $"{key} differs at the destination");
            Assert.Equal(name, (await fixture.GovS3.GetObjectMetadataAsync("mirror", "east/" + key)).Metadata["x-amz-meta-ami-name"]);

            // The restored image is the stored one, block for block.
            var restored = Assert.Single(await Ec2TestData.ImagesAsync(govEc2, Ec2TestData.Filter("source-image-id", imageId)));
            Assert.Equal(line.GetProperty("RestoredImageId").GetString(), restored.ImageId);
            Assert.Equal(Amazon.EC2.ImageState.Available, restored.State);
            Assert.Equal(name, restored.Name);
            var original = await Ec2TestData.ImageAsync(eastEc2, imageId);
            Assert.Equal(
                await ImageFixtures.SnapshotDigestsAsync(fixture.East, original.BlockDeviceMappings[0].Ebs.SnapshotId),
                await ImageFixtures.SnapshotDigestsAsync(fixture.Gov, restored.BlockDeviceMappings[0].Ebs.SnapshotId));
        }

        // A ninth image stored at the source: only it travels, and only it is restored.
        var ninth = await fixture.StoreImageAsync("web-9", 9);
        fixture.Images.Add(ninth);
        var second = (await _cli.RunAsync(sync)).EnsureSuccess();

        var copied = Lines(second).Where(l => l.TryGetProperty("Key", out _)).ToList();
        Assert.Equal(ninth.Key, Assert.Single(copied).GetProperty("Key").GetString());
        Assert.Equal("restored", copied[0].GetProperty("Restore").GetString());
        var secondSummary = Lines(second)[^1].GetProperty("Summary");
        Assert.Equal(1, secondSummary.GetProperty("Copied").GetInt32());
        Assert.Equal(before.Count, secondSummary.GetProperty("Current").GetInt32());
        Assert.Equal(1, secondSummary.GetProperty("Restored").GetInt32());
        Assert.Equal(govImages + before.Count + 1, (await Ec2TestData.ImagesAsync(govEc2)).Count);

        // Nothing new: nothing copied, nothing restored again, and it says so.
        var third = (await _cli.RunAsync(sync)).EnsureSuccess();

        Assert.Contains("Nothing to copy", third.Stderr, StringComparison.Ordinal);
        var thirdSummary = Assert.Single(Lines(third)).GetProperty("Summary");
        Assert.Equal(0, thirdSummary.GetProperty("Copied").GetInt32());
        Assert.Equal(0, thirdSummary.GetProperty("Restored").GetInt32());
        Assert.Equal(govImages + before.Count + 1, (await Ec2TestData.ImagesAsync(govEc2)).Count);
    }

    [Fact]
    public async Task A_dry_run_lists_what_would_be_copied_and_the_bytes_and_changes_nothing()
    {
        await fixture.GovBucketAsync("dry");
        var images = fixture.Images.ToList();
        using var govEc2 = fixture.Gov.Ec2(TestServer.Bob);
        var imagesBefore = (await Ec2TestData.ImagesAsync(govEc2)).Count;

        var result = (await _cli.RunAsync("sync", "s3://golden/", "s3://dry", "--source-profile", "east", "--dest-profile", "gov", "--dry-run", "--restore", "--output", "json")).EnsureSuccess();

        var lines = Lines(result);
        Assert.Equal(images.Select(i => i.Key).Order(StringComparer.Ordinal), lines.Where(l => l.TryGetProperty("Key", out _)).Select(l => l.GetProperty("Key").GetString()));
        Assert.All(lines.SkipLast(1), l => Assert.Equal("would-copy", l.GetProperty("Status").GetString()));
        var sizes = 0L;
        foreach (var image in images)
        {
            sizes += (await fixture.EastS3.GetObjectMetadataAsync(SyncImagesFixture.SourceBucket, image.Key)).ContentLength;
        }

        Assert.Equal(sizes, lines[^1].GetProperty("Summary").GetProperty("Bytes").GetInt64());
        Assert.Empty(await SyncImagesFixture.KeysAsync(fixture.GovS3, "dry"));
        Assert.Empty((await fixture.GovS3.ListMultipartUploadsAsync("dry")).MultipartUploads ?? []);
        Assert.Equal(imagesBefore, (await Ec2TestData.ImagesAsync(govEc2)).Count);
    }

    [Fact]
    public async Task Include_and_exclude_match_the_stored_name_and_the_key_and_newer_than_the_store_time()
    {
        await fixture.GovBucketAsync("filtered");
        var images = fixture.Images.ToList();
        var web2 = images.Single(i => i.Name == "web-2");
        string[] common = ["sync", "s3://golden", "s3://filtered", "--source-profile", "east", "--dest-profile", "gov", "--output", "json"];

        var result = (await _cli.RunAsync([.. common, "--include", "web-*", "--exclude", web2.Key])).EnsureSuccess();

        Assert.Equal(
            images.Where(i => i.Name.StartsWith("web-", StringComparison.Ordinal) && i != web2).Select(i => i.Key).Order(StringComparer.Ordinal),
            await SyncImagesFixture.KeysAsync(fixture.GovS3, "filtered"));
        Assert.Equal(images.Count(i => !i.Name.StartsWith("web-", StringComparison.Ordinal)) + 1, Lines(result)[^1].GetProperty("Summary").GetProperty("Excluded").GetInt32());

        var future = (await _cli.RunAsync([.. common, "--newer-than", "2999-01-01", "--dry-run"])).EnsureSuccess();
        Assert.Equal(images.Count, Lines(future)[^1].GetProperty("Summary").GetProperty("Excluded").GetInt32());
        var recent = (await _cli.RunAsync([.. common, "--newer-than", "1h", "--dry-run"])).EnsureSuccess();
        Assert.Equal(0, Lines(recent)[^1].GetProperty("Summary").GetProperty("Excluded").GetInt32());

        var bad = await _cli.RunAsync([.. common, "--newer-than", "soon"]);
        Assert.Equal(252, bad.ExitCode);
        Assert.Contains("--newer-than", bad.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deletion_at_the_source_is_left_alone_at_the_destination_unless_delete_is_given()
    {
        await fixture.EastS3.PutBucketAsync(new PutBucketRequest { BucketName = "retiring", BucketRegionName = fixture.East.Region });
        await fixture.GovBucketAsync("archive");
        foreach (var image in fixture.Images.Take(2))
        {
            await PutArchiveAsync("retiring", image.Key, await SyncImagesFixture.BytesAsync(fixture.EastS3, SyncImagesFixture.SourceBucket, image.Key));
        }

        string[] sync = ["sync", "s3://retiring", "s3://archive", "--source-profile", "east", "--dest-profile", "gov", "--output", "json"];
        (await _cli.RunAsync(sync)).EnsureSuccess();
        var gone = fixture.Images[0].Key;
        await fixture.EastS3.DeleteObjectAsync("retiring", gone);

        var without = (await _cli.RunAsync(sync)).EnsureSuccess();

        Assert.Equal(0, Lines(without)[^1].GetProperty("Summary").GetProperty("Deleted").GetInt32());
        Assert.Contains(gone, await SyncImagesFixture.KeysAsync(fixture.GovS3, "archive"));

        var with = (await _cli.RunAsync([.. sync, "--delete"])).EnsureSuccess();

        Assert.Equal("deleted", Assert.Single(Lines(with), l => l.TryGetProperty("Key", out _)).GetProperty("Status").GetString());
        Assert.Equal([fixture.Images[1].Key], await SyncImagesFixture.KeysAsync(fixture.GovS3, "archive"));
    }

    [Fact]
    public async Task A_damaged_source_archive_is_reported_with_exit_3_and_the_others_are_copied()
    {
        await fixture.EastS3.PutBucketAsync(new PutBucketRequest { BucketName = "mixed", BucketRegionName = fixture.East.Region });
        await fixture.GovBucketAsync("checked");
        var images = fixture.Images.Take(3).ToList();
        var originals = new Dictionary<string, byte[]>();
        foreach (var image in images)
        {
            originals[image.Key] = await SyncImagesFixture.BytesAsync(fixture.EastS3, SyncImagesFixture.SourceBucket, image.Key);
        }

        // One byte of the middle archive's index flipped: its archive digest no longer matches.
        var damaged = images[1].Key;
        var bytes = (byte[])originals[damaged].Clone();
        bytes[^(ArchiveFormat.TrailerLength + 8)] ^= 0x40;
        foreach (var (key, data) in originals)
        {
            await PutArchiveAsync("mixed", key, key == damaged ? bytes : data);
        }

        var result = await _cli.RunAsync("sync", "s3://mixed", "s3://checked", "--source-profile", "east", "--dest-profile", "gov", "--output", "json");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains($"s3://mixed/{damaged}", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("damaged archive", result.Stderr, StringComparison.Ordinal);
        var lines = Lines(result);
        Assert.Equal("unverified", lines.Single(l => l.TryGetProperty("Key", out var k) && k.GetString() == damaged).GetProperty("Status").GetString());
        Assert.Equal(2, lines[^1].GetProperty("Summary").GetProperty("Copied").GetInt32());
        Assert.Equal(1, lines[^1].GetProperty("Summary").GetProperty("Unverified").GetInt32());
        Assert.Equal(images.Select(i => i.Key).Where(k => k != damaged).Order(StringComparer.Ordinal), await SyncImagesFixture.KeysAsync(fixture.GovS3, "checked"));
        foreach (var key in originals.Keys.Where(k => k != damaged))
        {
            var copy = await SyncImagesFixture.BytesAsync(fixture.GovS3, "checked", key);
            Assert.True(originals[key].SequenceEqual(copy), $"{key} differs at the destination");
        }
    }

    [Fact]
    public async Task A_stopped_sync_journals_the_parts_in_flight_and_the_next_run_resumes_without_sending_them_again()
    {
        await fixture.EastS3.PutBucketAsync(new PutBucketRequest { BucketName = "large", BucketRegionName = fixture.East.Region });
        await fixture.GovBucketAsync("resumed");
        var first = CopyTestObjects.Data(6 * CopyTestObjects.PartSize, seed: 21);
        var second = CopyTestObjects.Data(6 * CopyTestObjects.PartSize, seed: 22);
        await CopyTestObjects.PutMultipartAsync(fixture.EastS3, "large", "a.bin", first);
        await CopyTestObjects.PutMultipartAsync(fixture.EastS3, "large", "b.bin", second);
        await using var proxy = await FaultProxy.StartAsync(fixture.Gov.Endpoint);
        _cli.Profile("gov-proxy", TestServer.Bob.AccessKeyId, TestServer.Bob.SecretAccessKey, fixture.Gov.Region, proxy.EndpointUrl);
        string[] sync = ["sync", "s3://large", "s3://resumed", "--source-profile", "east", "--dest-profile", "gov-proxy", "--objects", "1", "--parallel", "2", "--output", "json"];

        // Three parts of a.bin get through; the next two are held in flight when Ctrl-C comes, then let through.
        var allowed = 3;
        proxy.Hold = r => FaultProxy.IsUploadPart(r.Method, r.Path + r.QueryString) && Interlocked.Decrement(ref allowed) < 0;
        using var interrupt = new CancellationTokenSource();
        var running = _cli.RunAsync(interrupt.Token, sync);
        await WaitUntilAsync(() => proxy.Held == 2, () => $"held {proxy.Held}; run: {(running.IsCompleted ? running.Result.ToString() : "running")}");
        await interrupt.CancelAsync();
        proxy.Hold = _ => false;
        proxy.ReleaseHeld();
        var stopped = await running;

        Assert.Equal(130, stopped.ExitCode);
        Assert.Equal("stopped", Assert.Single(Lines(stopped), l => l.TryGetProperty("Key", out _)).GetProperty("Status").GetString());
        Assert.Contains("run again to resume", stopped.Stderr, StringComparison.Ordinal);
        Assert.Equal(5, proxy.CountReached(FaultProxy.IsUploadPart));
        Assert.Empty(await SyncImagesFixture.KeysAsync(fixture.GovS3, "resumed"));

        var resumed = (await _cli.RunAsync(sync)).EnsureSuccess();

        Assert.Contains("5 of 6 parts are already there", resumed.Stderr, StringComparison.Ordinal);
        var a = Lines(resumed).Single(l => l.TryGetProperty("Key", out var k) && k.GetString() == "a.bin");
        Assert.Equal(5, a.GetProperty("PartsResumed").GetInt32());
        Assert.Equal(1, a.GetProperty("PartsSent").GetInt32());
        Assert.Equal(5 + 1 + 6, proxy.CountReached(FaultProxy.IsUploadPart));
        await CopyTestObjects.AssertCopiedAsync(fixture.GovS3, "resumed", "a.bin", first);
        await CopyTestObjects.AssertCopiedAsync(fixture.GovS3, "resumed", "b.bin", second);
        Assert.Empty((await fixture.GovS3.ListMultipartUploadsAsync("resumed")).MultipartUploads ?? []);
    }

    [Fact]
    public async Task Watch_syncs_again_every_interval_and_a_stop_with_nothing_in_flight_exits_0()
    {
        await fixture.EastS3.PutBucketAsync(new PutBucketRequest { BucketName = "incoming", BucketRegionName = fixture.East.Region });
        await fixture.GovBucketAsync("watched");
        var image = fixture.Images[0];
        await PutArchiveAsync("incoming", "first.bin", await SyncImagesFixture.BytesAsync(fixture.EastS3, SyncImagesFixture.SourceBucket, image.Key));
        using var stop = new CancellationTokenSource();
        var running = _cli.RunAsync(stop.Token, "sync", "s3://incoming", "s3://watched", "--source-profile", "east", "--dest-profile", "gov", "--watch", "1s", "--output", "json");

        await WaitUntilAsync(async () => (await SyncImagesFixture.KeysAsync(fixture.GovS3, "watched")).Count == 1, () => "first.bin did not arrive");
        await PutArchiveAsync("incoming", "second.bin", await SyncImagesFixture.BytesAsync(fixture.EastS3, SyncImagesFixture.SourceBucket, fixture.Images[1].Key));
        await WaitUntilAsync(async () => (await SyncImagesFixture.KeysAsync(fixture.GovS3, "watched")).Count == 2, () => "second.bin did not arrive");
        await stop.CancelAsync();
        var result = await running;

        Assert.Equal(0, result.ExitCode);
        var passes = Lines(result).Where(l => l.TryGetProperty("Summary", out _)).Select(l => l.GetProperty("Summary")).ToList();
        Assert.True(passes.Count >= 2, result.ToString());
        Assert.Equal(2, passes.Sum(p => p.GetProperty("Copied").GetInt32()));
        Assert.Equal(Enumerable.Range(1, passes.Count), passes.Select(p => p.GetProperty("Pass").GetInt32()));
    }

    [Fact]
    [Trait("Category", TestCategories.Process)]
    public async Task Listings_and_heads_that_fail_transiently_are_retried_and_the_sync_completes()
    {
        await fixture.EastS3.PutBucketAsync(new PutBucketRequest { BucketName = "flaky", BucketRegionName = fixture.East.Region });
        await fixture.GovBucketAsync("steady");
        var data = await SyncImagesFixture.BytesAsync(fixture.EastS3, SyncImagesFixture.SourceBucket, fixture.Images[0].Key);
        await PutArchiveAsync("flaky", "one.bin", data);
        await using var proxy = await FaultProxy.StartAsync(fixture.East.Endpoint);
        _cli.Profile("east-flaky", TestServer.Alice.AccessKeyId, TestServer.Alice.SecretAccessKey, fixture.East.Region, proxy.EndpointUrl);

        // The pass's own calls, before any copy: the source listing throttled twice, then the HEAD that reads the
        // stored name for --include failing once.
        proxy.Inject(FaultKind.SlowDown, times: 2, where: r => r.Method == "GET" && r.Query.ContainsKey("list-type"));
        proxy.Inject(FaultKind.ServerError, times: 1, where: r => r.Method == "HEAD" && r.Path.Value!.EndsWith("/one.bin", StringComparison.Ordinal));

        var result = (await _cli.RunAsync("sync", "s3://flaky", "s3://steady", "--source-profile", "east-flaky", "--dest-profile", "gov",
            "--include", "copied-*", "--output", "json")).EnsureSuccess();

        Assert.Equal((2, 1), (proxy.Injected(FaultKind.SlowDown), proxy.Injected(FaultKind.ServerError)));
        Assert.Equal(1, Lines(result)[^1].GetProperty("Summary").GetProperty("Copied").GetInt32());
        var copy = await SyncImagesFixture.BytesAsync(fixture.GovS3, "steady", "one.bin");
        Assert.True(data.SequenceEqual(copy), "one.bin differs at the destination");
    }

    [Fact]
    [Trait("Category", TestCategories.Process)]
    public async Task Restore_with_alias_points_the_alias_at_the_restored_image_and_moves_it_to_a_newer_version_of_that_image()
    {
        await fixture.EastS3.PutBucketAsync(new PutBucketRequest { BucketName = "aliased", BucketRegionName = fixture.East.Region });
        await fixture.GovBucketAsync("carried");
        using var eastEc2 = fixture.East.Ec2(TestServer.Alice);
        using var govEc2 = fixture.Gov.Ec2(TestServer.Bob);
        var version1 = await ImageFixtures.ImageAsync(fixture.East, "web-server", blocks: ImageFixtures.MixedBlocks(31));
        await ImageFixtures.StoreAsync(fixture.East, version1, "aliased");
        string[] sync = ["sync", "s3://aliased", "s3://carried", "--source-profile", "east", "--dest-profile", "gov",
            "--restore", "--name-template", "{name}-{image-id}", "--alias", "/golden/", "--output", "json"];

        var first = (await _cli.RunAsync(sync)).EnsureSuccess();

        var restored1 = Assert.Single(await Ec2TestData.ImagesAsync(govEc2, Ec2TestData.Filter("source-image-id", version1)));
        Assert.Equal(Amazon.EC2.ImageState.Available, restored1.State);
        var update = Assert.Single(Lines(first), l => l.TryGetProperty("Alias", out _));
        Assert.Equal(("/golden/web-server", "updated", restored1.ImageId, 1), (update.GetProperty("Alias").GetString(), update.GetProperty("Status").GetString(),
            update.GetProperty("ImageId").GetString(), update.GetProperty("Version").GetInt32()));
        Assert.Equal(1, Lines(first)[^1].GetProperty("Summary").GetProperty("AliasesUpdated").GetInt32());

        // What a launch tool resolves at the destination: the restored image, which is the stored one block for block.
        var alias = (await GovSsm("get-parameter", "--name", "/golden/web-server")).EnsureSuccess().Json.GetProperty("Parameter");
        Assert.Equal(restored1.ImageId, alias.GetProperty("Value").GetString());
        Assert.Equal("aws:ec2:image", alias.GetProperty("DataType").GetString());
        Assert.Equal(
            await ImageFixtures.SnapshotDigestsAsync(fixture.East, (await Ec2TestData.ImageAsync(eastEc2, version1)).BlockDeviceMappings[0].Ebs.SnapshotId),
            await ImageFixtures.SnapshotDigestsAsync(fixture.Gov, restored1.BlockDeviceMappings[0].Ebs.SnapshotId));

        // The pipeline replaces the golden image with a new version of the same name and stores it: the next sync
        // restores it and moves the alias there, a new parameter version; the old one stays in the history.
        await eastEc2.DeregisterImageAsync(new DeregisterImageRequest { ImageId = version1 });
        var version2 = await ImageFixtures.ImageAsync(fixture.East, "web-server", blocks: ImageFixtures.MixedBlocks(32));
        await ImageFixtures.StoreAsync(fixture.East, version2, "aliased");

        var second = (await _cli.RunAsync(sync)).EnsureSuccess();

        var restored2 = Assert.Single(await Ec2TestData.ImagesAsync(govEc2, Ec2TestData.Filter("source-image-id", version2)));
        Assert.Equal(restored2.ImageId, Assert.Single(Lines(second), l => l.TryGetProperty("Alias", out _)).GetProperty("ImageId").GetString());
        var moved = (await GovSsm("get-parameter", "--name", "/golden/web-server")).EnsureSuccess().Json.GetProperty("Parameter");
        Assert.Equal((restored2.ImageId, 2), (moved.GetProperty("Value").GetString(), moved.GetProperty("Version").GetInt32()));
        var history = (await GovSsm("get-parameter-history", "--name", "/golden/web-server")).EnsureSuccess().Json.GetProperty("Parameters").EnumerateArray();
        Assert.Equal([restored1.ImageId, restored2.ImageId], history.Select(h => h.GetProperty("Value").GetString()));
        Assert.Equal(
            await ImageFixtures.SnapshotDigestsAsync(fixture.East, (await Ec2TestData.ImageAsync(eastEc2, version2)).BlockDeviceMappings[0].Ebs.SnapshotId),
            await ImageFixtures.SnapshotDigestsAsync(fixture.Gov, restored2.BlockDeviceMappings[0].Ebs.SnapshotId));

        // Nothing new: the alias is current and gets no new version.
        var third = (await _cli.RunAsync(sync)).EnsureSuccess();

        Assert.Equal(0, Lines(third)[^1].GetProperty("Summary").GetProperty("AliasesUpdated").GetInt32());
        Assert.Equal(2, (await GovSsm("get-parameter", "--name", "/golden/web-server")).EnsureSuccess().Json.GetProperty("Parameter").GetProperty("Version").GetInt32());
    }

    [Fact]
    public async Task An_alias_without_restore_or_with_a_prefix_that_is_not_a_path_is_a_usage_error()
    {
        var without = await _cli.RunAsync("sync", "s3://golden", "s3://nowhere", "--source-profile", "east", "--dest-profile", "gov", "--alias", "/golden");
        Assert.Equal(252, without.ExitCode);
        Assert.Contains("--restore", without.Stderr, StringComparison.Ordinal);

        var relative = await _cli.RunAsync("sync", "s3://golden", "s3://nowhere", "--source-profile", "east", "--dest-profile", "gov", "--restore", "--alias", "golden");
        Assert.Equal(252, relative.ExitCode);
        Assert.Contains("parameter path", relative.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => _cli.Dispose();

    private Task<AwsCliResult> GovSsm(params string[] args) => AwsCli.RunAsync(fixture.Gov, TestServer.Bob, null, ["ssm", .. args]);

    private static List<JsonElement> Lines(CliResult result) =>
        [.. result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => JsonDocument.Parse(l).RootElement)];

    private async Task PutArchiveAsync(string bucket, string key, byte[] data)
    {
        var put = new PutObjectRequest { BucketName = bucket, Key = key, InputStream = new MemoryStream(data) };
        put.Metadata.Add("ami-name", "copied-" + key);
        await fixture.EastS3.PutObjectAsync(put);
    }

    private static Task WaitUntilAsync(Func<bool> condition, Func<string> state) => WaitUntilAsync(() => Task.FromResult(condition()), state);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, Func<string> state)
    {
        for (var waited = 0; !await condition(); waited += 50)
        {
            Assert.True(waited < 60_000, $"the condition did not come true within 60 s: {state()}");
            await Task.Delay(50);
        }
    }
}
