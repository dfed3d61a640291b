using AmiVault.Tests.Ec2;
using AmiVault.Tests.Support;

namespace AmiVault.Tests.Tasks;

/// <summary>
/// `aws ec2 wait store-image-task-complete` needs a waiter model newer than the Debian CLI's (2.9.19) and boto3's
/// (1.29): AWS added StoreImageTaskComplete later. botocore's own waiter machinery is driven here with AWS's published
/// definition (botocore data/ec2/2016-11-15/waiters-2.json), so the semantics the newer CLI uses are checked on the
/// wire; only the delay is shortened.
/// </summary>
[Trait("Category", TestCategories.Process)]
public sealed class StoreWaiterTests
{
    private const string WaiterModel = """
        {"version": 2, "waiters": {"StoreImageTaskComplete": {
          "operation": "DescribeStoreImageTasks", "delay": 1, "maxAttempts": 40,
          "acceptors": [
            {"state": "success", "matcher": "pathAll", "argument": "StoreImageTaskResults[].StoreTaskState", "expected": "Completed"},
            {"state": "failure", "matcher": "pathAny", "argument": "StoreImageTaskResults[].StoreTaskState", "expected": "Failed"},
            {"state": "retry", "matcher": "pathAny", "argument": "StoreImageTaskResults[].StoreTaskState", "expected": "InProgress"}]}}}
        """;

    [Fact]
    public async Task Botocore_waits_for_a_store_with_AWS_waiter_and_pages_through_the_tasks()
    {
        await using var server = await TestServer.StartAsync();
        var snapshotId = await ImageFixtures.SnapshotAsync(server, TestServer.Alice, 1, ImageFixtures.MixedBlocks(seed: 3));
        using var ec2 = server.Ec2();
        var images = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            images.Add(await Ec2TestData.RegisterAsync(ec2, $"waiter-{i}", snapshotId, r => r.VirtualizationType = "hvm"));
        }

        await ImageFixtures.Buckets(server, TestServer.Alice).CreateBucketAsync("waiter-bucket");
        var output = await Boto3.RunAsync(server, TestServer.Alice, $$"""
            import botocore.waiter
            images = {{System.Text.Json.JsonSerializer.Serialize(images)}}
            for image in images:
                key = ec2.create_store_image_task(ImageId=image, Bucket="waiter-bucket")["ObjectKey"]
                assert key == image + ".bin", key
            model = botocore.waiter.WaiterModel(json.loads('''{{WaiterModel}}'''))
            waiter = botocore.waiter.create_waiter_with_client("StoreImageTaskComplete", model, ec2)
            waiter.wait(ImageIds=images)
            pages = list(ec2.get_paginator("describe_store_image_tasks").paginate(PaginationConfig={"PageSize": 2}))
            listed = [t for p in pages for t in p["StoreImageTaskResults"]]
            print(json.dumps({"pages": len(pages), "states": sorted({t["StoreTaskState"] for t in listed}),
                              "images": sorted(t["AmiId"] for t in listed), "millis": listed[0]["TaskStartTime"].microsecond % 1000 == 0}))
            """);
        var result = System.Text.Json.JsonDocument.Parse(output).RootElement;
        Assert.Equal(2, result.GetProperty("pages").GetInt32());
        Assert.Equal(["Completed"], result.GetProperty("states").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(images.Order(), result.GetProperty("images").EnumerateArray().Select(e => e.GetString()));
        Assert.True(result.GetProperty("millis").GetBoolean());
    }
}
