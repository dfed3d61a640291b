using System.Xml.Linq;

namespace AmiVault.Console;

/// <summary>A store task as DescribeStoreImageTasks answered it.</summary>
internal sealed record StoreTaskView(string ImageId, DateTimeOffset? Started, string Bucket, string ObjectKey, int Progress, string State, string? FailureReason)
{
    public static StoreTaskView From(XElement item) => new(
        ConsoleEc2.Text(item, "amiId") ?? "",
        ConsoleEc2.Time(item, "taskStartTime"),
        ConsoleEc2.Text(item, "bucket") ?? "",
        ConsoleEc2.Text(item, "s3objectKey") ?? "",
        (int)ConsoleEc2.Long(item, "progressPercentage"),
        ConsoleEc2.Text(item, "storeTaskState") ?? "",
        ConsoleEc2.Text(item, "storeTaskFailureReason") is { Length: > 0 } reason ? reason : null);
}
