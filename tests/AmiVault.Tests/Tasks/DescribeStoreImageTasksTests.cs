using System.Net;
using System.Text.RegularExpressions;
using AmiVault.Accounts;
using AmiVault.Catalog;
using AmiVault.Tests.Ec2;
using AmiVault.Tests.Support;
using Amazon.EC2;
using Amazon.EC2.Model;
using Microsoft.Extensions.DependencyInjection;

namespace AmiVault.Tests.Tasks;

/// <summary>
/// DescribeStoreImageTasks over a history of tasks put in the catalog with chosen start times (the task engine's
/// own records; a real store adds one more where the wire format matters).
/// </summary>
[Trait("Category", TestCategories.Process)]
public sealed partial class DescribeStoreImageTasksTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    [Fact]
    public async Task Tasks_are_listed_newest_first_for_31_days_and_only_to_their_account()
    {
        await using var server = await TestServer.StartAsync();
        var image = NewImageId();
        var old = await SeedAsync(server, image, "b1", TaskStates.Completed, Now.AddDays(-32));
        var tasks = new List<StoreTaskRecord>();
        for (var day = 30; day >= 0; day -= 5)
        {
            tasks.Add(await SeedAsync(server, NewImageId(), "b1", TaskStates.Completed, Now.AddDays(-day).AddMilliseconds(day)));
        }

        await SeedAsync(server, NewImageId(), "b1", TaskStates.Completed, Now, TestServer.Bob);
        using var ec2 = server.Ec2();

        var listed = await ImageFixtures.StoreTasksAsync(ec2);
        Assert.Equal(tasks.Select(t => t.ImageId).Reverse(), listed.Select(t => t.AmiId));
        Assert.DoesNotContain(listed, t => t.AmiId == old.ImageId);
        Assert.Equal(tasks[^1].StartTime.ToUnixTimeMilliseconds(), new DateTimeOffset(listed[0].TaskStartTime!.Value).ToUnixTimeMilliseconds());
        using var bob = server.Ec2(TestServer.Bob);
        Assert.Single(await ImageFixtures.StoreTasksAsync(bob));
    }

    [Fact]
    public async Task With_image_ids_only_the_latest_task_of_each_image_is_listed_and_filters_are_ignored()
    {
        await using var server = await TestServer.StartAsync();
        var (a, b, none) = (NewImageId(), NewImageId(), NewImageId());
        await SeedAsync(server, a, "b1", TaskStates.Failed, Now.AddDays(-3));
        var latestA = await SeedAsync(server, a, "b2", TaskStates.Completed, Now.AddDays(-1));
        await SeedAsync(server, a, "b3", TaskStates.Failed, Now.AddDays(-40));
        var onlyB = await SeedAsync(server, b, "b1", TaskStates.Failed, Now.AddDays(-2));
        await SeedAsync(server, NewImageId(), "b1", TaskStates.Failed, Now);
        using var ec2 = server.Ec2();

        var listed = await ImageFixtures.StoreTasksAsync(ec2, new DescribeStoreImageTasksRequest
        {
            ImageIds = [b, a, none],
            Filters = [new Filter("task-state", ["Failed"]), new Filter("bucket", ["b1"])],
        });
        Assert.Equal([(a, "b2", "Completed"), (b, "b1", "Failed")], listed.Select(t => (t.AmiId, t.Bucket, t.StoreTaskState)).ToList());
        Assert.Equal(latestA.ObjectKey, listed[0].S3objectKey);
        Assert.Equal(onlyB.FailureReason, listed[1].StoreTaskFailureReason);
    }

    [Fact]
    public async Task Image_ids_are_checked_and_limited_to_20_and_exclude_MaxResults()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();

        await Ec2TestData.FailsAsync("InvalidAMIID.Malformed", () => ec2.DescribeStoreImageTasksAsync(new DescribeStoreImageTasksRequest { ImageIds = ["ami-nope"] }));
        await Ec2TestData.FailsAsync("InvalidParameterValue", () => ec2.DescribeStoreImageTasksAsync(new DescribeStoreImageTasksRequest
        {
            ImageIds = [.. Enumerable.Range(0, 21).Select(_ => NewImageId())],
        }));
        Assert.Empty(await ImageFixtures.StoreTasksAsync(ec2, new DescribeStoreImageTasksRequest { ImageIds = [.. Enumerable.Range(0, 20).Select(_ => NewImageId())] }));
        await Ec2TestData.FailsAsync("InvalidParameterCombination", () => ec2.DescribeStoreImageTasksAsync(new DescribeStoreImageTasksRequest
        {
            ImageIds = [NewImageId()],
            MaxResults = 5,
        }));
        await Ec2TestData.FailsAsync("DryRunOperation", () => ec2.DescribeStoreImageTasksAsync(new DescribeStoreImageTasksRequest { DryRun = true }),
            HttpStatusCode.PreconditionFailed);
    }

    [Fact]
    public async Task Filters_select_by_task_state_and_bucket()
    {
        await using var server = await TestServer.StartAsync();
        var failedB1 = await SeedAsync(server, NewImageId(), "b1", TaskStates.Failed, Now.AddHours(-3));
        var completedB1 = await SeedAsync(server, NewImageId(), "b1", TaskStates.Completed, Now.AddHours(-2));
        var runningB2 = await SeedAsync(server, NewImageId(), "b2", TaskStates.InProgress, Now.AddHours(-1));
        using var ec2 = server.Ec2();

        async Task<List<string>> ListAsync(params Filter[] filters) =>
            [.. (await ImageFixtures.StoreTasksAsync(ec2, new DescribeStoreImageTasksRequest { Filters = [.. filters] })).Select(t => t.AmiId)];

        Assert.Equal([failedB1.ImageId], await ListAsync(new Filter("task-state", ["Failed"])));
        Assert.Equal([runningB2.ImageId, failedB1.ImageId], await ListAsync(new Filter("task-state", ["Failed", "InProgress"])));
        Assert.Equal([completedB1.ImageId, failedB1.ImageId], await ListAsync(new Filter("bucket", ["b1"])));
        Assert.Equal([completedB1.ImageId], await ListAsync(new Filter("bucket", ["b1"]), new Filter("task-state", ["Completed"])));
        Assert.Empty(await ListAsync(new Filter("task-state", ["failed"])));
        await Ec2TestData.FailsAsync("InvalidParameterValue", () => ListAsync(new Filter("image-id", [failedB1.ImageId])));
    }

    [Fact]
    public async Task Pages_follow_MaxResults_and_their_tokens_cannot_be_forged_or_reused_for_another_listing()
    {
        await using var server = await TestServer.StartAsync();
        for (var i = 0; i < 25; i++)
        {
            await SeedAsync(server, NewImageId(), i % 2 == 0 ? "even" : "odd", TaskStates.Completed, Now.AddMinutes(-i));
        }

        using var ec2 = server.Ec2();
        var all = (await ImageFixtures.StoreTasksAsync(ec2)).Select(t => t.AmiId).ToList();
        Assert.Equal(25, all.Count);

        var paged = new List<string>();
        var pages = new List<int>();
        string? token = null;
        do
        {
            var page = await ec2.DescribeStoreImageTasksAsync(new DescribeStoreImageTasksRequest { MaxResults = 10, NextToken = token });
            paged.AddRange(page.StoreImageTaskResults.Select(t => t.AmiId));
            pages.Add(page.StoreImageTaskResults.Count);
            token = page.NextToken;
        }
        while (token is not null);
        Assert.Equal([10, 10, 5], pages);
        Assert.Equal(all, paged);

        // The CLI's paginator sends MaxResults for --page-size and follows NextToken to the end.
        var cli = (await AwsCli.RunAsync(server, "ec2", "describe-store-image-tasks", "--page-size", "7")).EnsureSuccess().Json;
        Assert.Equal(all, cli.GetProperty("StoreImageTaskResults").EnumerateArray().Select(t => t.GetProperty("AmiId").GetString()!));

        var first = await ec2.DescribeStoreImageTasksAsync(new DescribeStoreImageTasksRequest { MaxResults = 1 });
        var forged = first.NextToken[..^2] + (first.NextToken[^2] == 'A' ? "B" : "A") + first.NextToken[^1];
        foreach (var bad in new[] { "not-a-token", forged })
        {
            await Ec2TestData.FailsAsync("InvalidPaginationToken", () => ec2.DescribeStoreImageTasksAsync(new DescribeStoreImageTasksRequest { MaxResults = 1, NextToken = bad }));
        }

        await Ec2TestData.FailsAsync("InvalidPaginationToken", () => ec2.DescribeStoreImageTasksAsync(new DescribeStoreImageTasksRequest
        {
            MaxResults = 1,
            NextToken = first.NextToken,
            Filters = [new Filter("bucket", ["odd"])],
        }));
        using var bob = server.Ec2(TestServer.Bob);
        await Ec2TestData.FailsAsync("InvalidPaginationToken", () => bob.DescribeStoreImageTasksAsync(new DescribeStoreImageTasksRequest { MaxResults = 1, NextToken = first.NextToken }));

        foreach (var outOfRange in new[] { 0, 201 })
        {
            await Ec2TestData.FailsAsync("InvalidParameterValue", () => ec2.DescribeStoreImageTasksAsync(new DescribeStoreImageTasksRequest { MaxResults = outOfRange }));
        }
    }

    [Fact]
    public async Task Boto3_parses_a_real_task_and_the_wire_has_millisecond_start_times()
    {
        await using var server = await TestServer.StartAsync();
        var bucket = await ImageFixtures.BucketAsync(server, "images");
        var imageId = await ImageFixtures.ImageAsync(server, "web");
        await ImageFixtures.StoreAsync(server, imageId, bucket);

        var output = await Boto3.RunAsync(server, TestServer.Alice, $$"""
            pages = ec2.get_paginator("describe_store_image_tasks").paginate(PaginationConfig={"PageSize": 1})
            tasks = [t for page in pages for t in page["StoreImageTaskResults"]]
            task = tasks[0]
            print(json.dumps([len(tasks), task["AmiId"], task["Bucket"], task["S3objectKey"], task["ProgressPercentage"],
                task["StoreTaskState"], task["StoreTaskFailureReason"], task["TaskStartTime"].tzname(), task["TaskStartTime"].microsecond % 1000]))
            status, body = raw(b"Action=DescribeStoreImageTasks&Version=2016-11-15&ImageId.1={{imageId}}")
            print(status)
            print(body)
            """);
        var lines = output.Split('\n', 3);
        Assert.Equal($"[1, \"{imageId}\", \"images\", \"{imageId}.bin\", 100, \"Completed\", \"\", \"UTC\", 0]", lines[0]);
        Assert.Equal("200", lines[1]);
        Assert.Matches(StartTime(), lines[2]);
    }

    private static string NewImageId() => ResourceIds.New(ResourceIds.Image);

    private static async Task<StoreTaskRecord> SeedAsync(TestServer server, string imageId, string bucket, string state, DateTimeOffset startTime, Account? owner = null)
    {
        var task = new StoreTaskRecord
        {
            TaskId = Guid.NewGuid().ToString("N"),
            OwnerId = (owner ?? TestServer.Alice).Id,
            ImageId = imageId,
            Bucket = bucket,
            ObjectKey = imageId + ".bin",
            State = state,
            Progress = state == TaskStates.Completed ? 100 : 40,
            FailureReason = state == TaskStates.Failed ? $"Snapshot snap-0 of image {imageId} was deleted or became inaccessible during the task." : null,
            StartTime = startTime,
            SizeBytes = 1L << 30,
        };
        Assert.Equal(TaskAdmission.Admitted, await server.Server.Services.GetRequiredService<ITaskCatalog>().TryAddStoreAsync(task, long.MaxValue));
        return task;
    }

    [GeneratedRegex(@"<taskStartTime>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z</taskStartTime>")]
    private static partial Regex StartTime();
}
