using Amazon.EC2;
using Amazon.EC2.Model;

namespace AmiVault.Cli.Common;

/// <summary>
/// Polls EC2 until a snapshot, store task or restored image is done, as the AWS CLI's waiters do, but starting fast
/// (a local server finishes in milliseconds or seconds), at most 1 s apart for the first minute, then every 5 s
/// (AWS takes minutes).
/// </summary>
internal static class Ec2Waits
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan FastPhase = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan FastMaxDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan SlowDelay = TimeSpan.FromSeconds(5);

    public static Task<Snapshot> SnapshotCompletedAsync(IAmazonEC2 ec2, string snapshotId, CancellationToken cancellationToken) =>
        PollAsync(async () =>
        {
            var response = await ec2.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { SnapshotIds = [snapshotId] }, cancellationToken);
            var snapshot = response.Snapshots?.FirstOrDefault() ?? throw CliException.Configuration($"Snapshot {snapshotId} is not visible through EC2 at this endpoint.");
            return snapshot.State == SnapshotState.Error
                ? throw new CliException(ExitCodes.ServiceError, $"Snapshot {snapshotId} failed: {snapshot.StateMessage}")
                : snapshot.State == SnapshotState.Completed ? snapshot : null;
        }, cancellationToken);

    public static Task<StoreImageTaskResult> StoreTaskDoneAsync(IAmazonEC2 ec2, string imageId, CancellationToken cancellationToken) =>
        PollAsync(async () =>
        {
            var response = await ec2.DescribeStoreImageTasksAsync(new DescribeStoreImageTasksRequest { ImageIds = [imageId] }, cancellationToken);
            var task = response.StoreImageTaskResults?.FirstOrDefault() ?? throw new CliException(ExitCodes.ServiceError, $"No store task is known for {imageId}.");
            return task.StoreTaskState switch
            {
                "Completed" => task,
                "Failed" => throw new CliException(ExitCodes.ServiceError, $"Storing {imageId} failed: {task.StoreTaskFailureReason}"),
                _ => null,
            };
        }, cancellationToken);

    public static Task<Image> ImageAvailableAsync(IAmazonEC2 ec2, string imageId, CancellationToken cancellationToken) =>
        PollAsync(async () =>
        {
            var response = await ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [imageId] }, cancellationToken);
            var image = response.Images?.FirstOrDefault() ?? throw new CliException(ExitCodes.ServiceError, $"Image {imageId} is not visible at this endpoint.");
            return image.State == ImageState.Available ? image
                : image.State == ImageState.Pending ? null
                : throw new CliException(ExitCodes.ServiceError, $"Image {imageId} is {image.State}: {image.StateReason?.Message}");
        }, cancellationToken);

    private static async Task<T> PollAsync<T>(Func<Task<T?>> poll, CancellationToken cancellationToken)
        where T : class
    {
        var delay = FirstDelay;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            if (await poll() is { } done)
            {
                return done;
            }

            await Task.Delay(delay, cancellationToken);
            delay = clock.Elapsed < FastPhase ? TimeSpan.FromTicks(Math.Min(FastMaxDelay.Ticks, delay.Ticks * 3 / 2)) : SlowDelay;
        }
    }
}
