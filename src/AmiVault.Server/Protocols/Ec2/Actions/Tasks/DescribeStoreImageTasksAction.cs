using System.Globalization;
using AmiVault.Catalog;

namespace AmiVault.Protocols.Ec2.Actions.Tasks;

/// <summary>
/// DescribeStoreImageTasks: the caller's store tasks of the last 31 days, newest first. With ImageId.N only the
/// latest task of each image is listed and filters are ignored, as AWS does (aws/aws-sdk#601). An image id needs no
/// image behind it: an image is often deregistered once it is stored, and its task stays listed.
/// </summary>
internal sealed class DescribeStoreImageTasksAction(ITaskCatalog tasks, Ec2PageTokens pageTokens, TimeProvider time) : IEc2Action
{
    public const int MaxImageIds = 20;
    public const int MaxMaxResults = 200;
    private static readonly TimeSpan Window = TimeSpan.FromDays(31);

    private static readonly Ec2FilterSet<StoreTaskRecord> Filters = new Ec2FilterSet<StoreTaskRecord>()
        .Add("task-state", t => t.State)
        .Add("bucket", t => t.Bucket);

    public string Name => "DescribeStoreImageTasks";

    public async Task ExecuteAsync(Ec2Call call)
    {
        var p = call.Parameters;
        var imageIds = p.List("ImageId");
        if (imageIds.Count > MaxImageIds)
        {
            throw new Ec2Exception("InvalidParameterValue", $"At most {MaxImageIds} image ids can be given; {imageIds.Count} were.");
        }

        if (imageIds.Count > 0 && p.Get("MaxResults") is not null)
        {
            throw new Ec2Exception("InvalidParameterCombination", "The parameters ImageIds and MaxResults cannot be used together.");
        }

        foreach (var imageId in imageIds)
        {
            Ec2ResourceKind.Image.CheckWellFormed(imageId);
        }

        // The model bounds MaxResults to 1–200; EC2 refuses what is outside rather than clamping it.
        p.Int("MaxResults", 1, MaxMaxResults);
        var pager = pageTokens.Start(call, min: 1, max: MaxMaxResults);
        var matches = imageIds.Count > 0 ? (_ => true) : Filters.Compile(p.Filters());
        call.EndIfDryRun();

        var recent = await tasks.ListStoresAsync(call.AccountId, time.GetUtcNow() - Window, call.Aborted);
        IEnumerable<StoreTaskRecord> listed = imageIds.Count > 0
            ? recent.Where(t => imageIds.Contains(t.ImageId)).GroupBy(t => t.ImageId).Select(g => g.First())
            : recent.Where(matches);

        // Pages run newest first: the position inverts the start time so ascending order is newest first.
        var (page, nextToken) = pager.Take(listed, t => (DateTimeOffset.MaxValue.UtcTicks - t.StartTime.UtcTicks).ToString("D19", CultureInfo.InvariantCulture) + "/" + t.TaskId);
        await call.RespondAsync(x => x
            .Set("storeImageTaskResultSet", page, (x, t) => x
                .Value("amiId", t.ImageId)
                .Value("taskStartTime", t.StartTime)
                .Value("bucket", t.Bucket)
                .Value("s3objectKey", t.ObjectKey)
                .Value("progressPercentage", t.Progress)
                .Value("storeTaskState", t.State)
                .Value("storeTaskFailureReason", t.FailureReason ?? ""))
            .Value("nextToken", nextToken));
    }
}
