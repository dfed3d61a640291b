using System.Net;
using AmiVault.Accounts;
using AmiVault.Catalog;
using AmiVault.Tests.Ec2;
using AmiVault.Tests.Support;
using Amazon.EC2;
using Amazon.EC2.Model;
using Microsoft.Extensions.DependencyInjection;

namespace AmiVault.Tests.Tasks;

/// <summary>CreateStoreImageTask's refusals: each with its EC2 error, and nothing queued, uploaded or stored.</summary>
public sealed class StoreRequestTests
{
    [Theory]
    [InlineData("ami-xyz", "InvalidAMIID.Malformed")]
    [InlineData("snap-0123456789abcdef0", "InvalidAMIID.Malformed")]
    [InlineData("ami-0123456789abcdef0", "InvalidAMIID.NotFound")]
    public async Task Malformed_and_unknown_image_ids_are_refused_and_nothing_is_queued(string imageId, string code)
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var bucket = await ImageFixtures.BucketAsync(server, "images");

        await Ec2TestData.FailsAsync(code, () => ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = imageId, Bucket = bucket }));
        await AssertNothingQueuedAsync(server, ec2, bucket);
    }

    [Fact]
    public async Task An_image_of_another_account_is_refused_as_not_found()
    {
        await using var server = await TestServer.StartAsync();
        var bobsImage = await ImageFixtures.ImageAsync(server, "bobs image", owner: TestServer.Bob);
        using var ec2 = server.Ec2();
        var bucket = await ImageFixtures.BucketAsync(server, "images");

        var e = await Ec2TestData.FailsAsync("InvalidAMIID.NotFound", () => ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = bobsImage, Bucket = bucket }));
        Assert.Contains(bobsImage, e.Message, StringComparison.Ordinal);
        await AssertNothingQueuedAsync(server, ec2, bucket);
        using var bob = server.Ec2(TestServer.Bob);
        Assert.Empty(await ImageFixtures.StoreTasksAsync(bob));
    }

    [Fact]
    public async Task Paravirtual_and_instance_store_images_are_refused()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var bucket = await ImageFixtures.BucketAsync(server, "images");
        var paravirtual = await ImageFixtures.ImageAsync(server, "pv image", configure: r => r.VirtualizationType = "paravirtual");

        // Instance-store images cannot be registered here (no bundles in S3); one imported into the catalog stands in.
        var instanceStore = ResourceIds.New(ResourceIds.Image);
        await server.Server.Services.GetRequiredService<IImageCatalog>().InsertAsync(new ImageRecord
        {
            ImageId = instanceStore,
            OwnerId = TestServer.Alice.Id,
            Name = "instance store image",
            RootDeviceType = "instance-store",
            RootDeviceName = "/dev/sda1",
            ImageLocation = "bundles/image.manifest.xml",
            CreationDate = DateTimeOffset.UtcNow,
        }, []);

        var e = await Ec2TestData.FailsAsync("InvalidParameterValue", () => ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = paravirtual, Bucket = bucket }));
        Assert.Contains("paravirtual", e.Message, StringComparison.Ordinal);
        e = await Ec2TestData.FailsAsync("InvalidParameterValue", () => ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = instanceStore, Bucket = bucket }));
        Assert.Contains("instance store", e.Message, StringComparison.Ordinal);
        await AssertNothingQueuedAsync(server, ec2, bucket);
    }

    [Fact]
    public async Task An_image_over_the_maximum_size_is_refused_and_the_maximum_is_configurable()
    {
        await using var server = await TestServer.StartAsync("us-east-1", o => o.Tasks.MaxImageSizeGb = 4);
        using var ec2 = server.Ec2();
        var bucket = await ImageFixtures.BucketAsync(server, "images");
        var large = await ImageFixtures.ImageAsync(server, "five gib", volumeGib: 5);
        var fits = await ImageFixtures.ImageAsync(server, "four gib", volumeGib: 4);

        var e = await Ec2TestData.FailsAsync("InvalidParameterValue", () => ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = large, Bucket = bucket }));
        Assert.Contains("4 GiB", e.Message, StringComparison.Ordinal);
        await AssertNothingQueuedAsync(server, ec2, bucket);

        await ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = fits, Bucket = bucket });
        Assert.Equal("Completed", (await ImageFixtures.WaitForStoreAsync(ec2, fits)).StoreTaskState);
    }

    [Fact]
    public async Task Missing_and_other_accounts_buckets_are_refused()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var imageId = await ImageFixtures.ImageAsync(server, "web");
        var bobs = await ImageFixtures.BucketAsync(server, "bobs-bucket", TestServer.Bob);

        var e = await Ec2TestData.FailsAsync("InvalidParameterValue", () => ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = imageId, Bucket = "no-such-bucket" }));
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
        e = await Ec2TestData.FailsAsync("InvalidParameterValue", () => ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = imageId, Bucket = bobs }));
        Assert.Contains("not accessible", e.Message, StringComparison.Ordinal);
        await AssertNothingQueuedAsync(server, ec2, bobs, TestServer.Bob);
    }

    [Fact]
    public async Task A_bucket_in_another_region_is_refused()
    {
        // A bucket made while the server was us-west-2 stays there when the same data is served as us-east-1.
        var dataDir = Path.Combine(Path.GetTempPath(), "amivault-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using (var west = await TestServer.StartAsync("us-west-2", o => o.DataDir = dataDir))
            {
                await ImageFixtures.BucketAsync(west, "western");
            }

            await using var east = await TestServer.StartAsync("us-east-1", o => o.DataDir = dataDir);
            using var ec2 = east.Ec2();
            var imageId = await ImageFixtures.ImageAsync(east, "web");
            var e = await Ec2TestData.FailsAsync("InvalidParameterValue", () => ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = imageId, Bucket = "western" }));
            Assert.Contains("us-west-2", e.Message, StringComparison.Ordinal);
            await AssertNothingQueuedAsync(east, ec2, "western");
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task An_image_already_stored_in_the_bucket_is_refused_until_its_object_is_deleted()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var bucket = await ImageFixtures.BucketAsync(server, "images");
        var imageId = await ImageFixtures.ImageAsync(server, "web");
        await ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = imageId, Bucket = bucket });
        Assert.Equal("Completed", (await ImageFixtures.WaitForStoreAsync(ec2, imageId)).StoreTaskState);

        var e = await Ec2TestData.FailsAsync("InvalidParameterValue", () => ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = imageId, Bucket = bucket }));
        Assert.Contains("already exists", e.Message, StringComparison.Ordinal);
        Assert.Single(await ImageFixtures.StoreTasksAsync(ec2));

        await ImageFixtures.Buckets(server).DeleteObjectAsync(bucket, imageId + ".bin");
        await ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = imageId, Bucket = bucket });
        Assert.Equal("Completed", (await ImageFixtures.WaitForStoreAsync(ec2, imageId)).StoreTaskState);
        Assert.Equal(2, (await ImageFixtures.StoreTasksAsync(ec2)).Count);
    }

    [Fact]
    public async Task An_image_larger_than_the_quota_is_stored_when_nothing_else_is_in_progress_and_holds_off_the_next()
    {
        // AWS's own example (quota 600 GB): "if a single AMI with 800 GB of snapshot data is currently being stored,
        // further tasks are rejected until the task is completed". Scaled to a 6 GiB quota.
        await using var server = await TestServer.StartAsync("us-east-1", o => o.Tasks.StoreQuotaGb = 6, GatedBlockStore.Install);
        var gate = server.Server.Services.GetRequiredService<GatedBlockStore>();
        using var ec2 = server.Ec2();
        var bucket = await ImageFixtures.BucketAsync(server, "images");
        var eight = await ImageFixtures.ImageAsync(server, "eight", volumeGib: 8);
        var one = await ImageFixtures.ImageAsync(server, "one", volumeGib: 1);

        var held = gate.CloseAsync();
        await ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = eight, Bucket = bucket });
        await held;

        var e = await Ec2TestData.FailsAsync("ResourceLimitExceeded", () => ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = one, Bucket = bucket }));
        Assert.Contains("6 GiB", e.Message, StringComparison.Ordinal);
        e = await Ec2TestData.FailsAsync("InvalidParameterValue", () => ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = eight, Bucket = bucket }));
        Assert.Contains("in progress", e.Message, StringComparison.Ordinal);
        Assert.Equal(["eight"], await NamesInProgressAsync(server, ec2));

        gate.Open();
        Assert.Equal("Completed", (await ImageFixtures.WaitForStoreAsync(ec2, eight)).StoreTaskState);
        await ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = one, Bucket = bucket });
        Assert.Equal("Completed", (await ImageFixtures.WaitForStoreAsync(ec2, one)).StoreTaskState);
    }

    [Fact]
    public async Task A_store_is_admitted_while_the_stores_in_progress_are_under_the_quota_and_other_accounts_do_not_count()
    {
        // AWS's other example (quota 600 GB): with 100 GB and 200 GB in progress a new task is accepted (300 < 600),
        // whatever its own size. Scaled to a 6 GiB quota: 1 + 2 in progress admit a 4; then 7 GiB refuse the next.
        await using var server = await TestServer.StartAsync("us-east-1", o => o.Tasks.StoreQuotaGb = 6, GatedBlockStore.Install);
        var gate = server.Server.Services.GetRequiredService<GatedBlockStore>();
        using var ec2 = server.Ec2();
        var bucket = await ImageFixtures.BucketAsync(server, "images");
        var other = await ImageFixtures.BucketAsync(server, "more-images");
        var one = await ImageFixtures.ImageAsync(server, "one", volumeGib: 1);
        var two = await ImageFixtures.ImageAsync(server, "two", volumeGib: 2);
        var four = await ImageFixtures.ImageAsync(server, "four", volumeGib: 4);
        var bobs = await ImageFixtures.ImageAsync(server, "bobs", volumeGib: 8, owner: TestServer.Bob);
        var bobsBucket = await ImageFixtures.BucketAsync(server, "bobs-images", TestServer.Bob);

        var held = gate.CloseAsync();
        await ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = one, Bucket = bucket });
        await held;
        await ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = two, Bucket = bucket });
        await ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = four, Bucket = bucket });
        await Ec2TestData.FailsAsync("ResourceLimitExceeded", () => ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = one, Bucket = other }));
        using var bob = server.Ec2(TestServer.Bob);
        await bob.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = bobs, Bucket = bobsBucket });
        Assert.Equal(["four", "one", "two"], (await NamesInProgressAsync(server, ec2)).Order());

        gate.Open();
        foreach (var imageId in new[] { one, two, four })
        {
            Assert.Equal("Completed", (await ImageFixtures.WaitForStoreAsync(ec2, imageId)).StoreTaskState);
        }

        Assert.Equal("Completed", (await ImageFixtures.WaitForStoreAsync(bob, bobs)).StoreTaskState);
    }

    [Fact]
    public async Task DryRun_checks_the_request_and_queues_nothing()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var bucket = await ImageFixtures.BucketAsync(server, "images");
        var imageId = await ImageFixtures.ImageAsync(server, "web");

        await Ec2TestData.FailsAsync("DryRunOperation", () => ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = imageId, Bucket = bucket, DryRun = true }),
            HttpStatusCode.PreconditionFailed);
        await Ec2TestData.FailsAsync("InvalidParameterValue", () => ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = imageId, Bucket = "no-such-bucket", DryRun = true }));
        await AssertNothingQueuedAsync(server, ec2, bucket);
    }

    [Fact]
    public async Task Missing_parameters_and_bad_object_tags_are_refused()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var bucket = await ImageFixtures.BucketAsync(server, "images");
        var imageId = await ImageFixtures.ImageAsync(server, "web");

        await Ec2TestData.FailsAsync("MissingParameter", () => ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = imageId }));
        await Ec2TestData.FailsAsync("MissingParameter", () => ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { Bucket = bucket }));
        await Ec2TestData.FailsAsync("InvalidParameterValue", () => ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest
        {
            ImageId = imageId,
            Bucket = bucket,
            S3ObjectTags = [.. Enumerable.Range(0, 11).Select(i => new S3ObjectTag { Key = $"k{i}", Value = "v" })],
        }));
        await Ec2TestData.FailsAsync("InvalidParameterValue", () => ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest
        {
            ImageId = imageId,
            Bucket = bucket,
            S3ObjectTags = [new S3ObjectTag { Key = "aws:reserved", Value = "v" }],
        }));
        await AssertNothingQueuedAsync(server, ec2, bucket);
    }

    private static async Task AssertNothingQueuedAsync(TestServer server, AmazonEC2Client ec2, string bucket, Account? bucketOwner = null)
    {
        Assert.Empty(await ImageFixtures.StoreTasksAsync(ec2));
        var (objects, uploads) = await ImageFixtures.ContentsAsync(server, bucket, bucketOwner);
        Assert.Empty(objects);
        Assert.Empty(uploads);
    }

    private static async Task<List<string>> NamesInProgressAsync(TestServer server, AmazonEC2Client ec2)
    {
        var images = server.Server.Services.GetRequiredService<IImageCatalog>();
        var names = new List<string>();
        foreach (var task in await ImageFixtures.StoreTasksAsync(ec2, new DescribeStoreImageTasksRequest { Filters = [new Filter("task-state", ["InProgress"])] }))
        {
            names.Add((await images.GetAsync(task.AmiId))!.Name);
        }

        return names;
    }
}
