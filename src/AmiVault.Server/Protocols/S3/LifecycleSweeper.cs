using AmiVault.ObjectStore.Embedded;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AmiVault.Protocols.S3;

/// <summary>
/// Applies the embedded buckets' lifecycle rules every <see cref="Period"/> (S3 does it about once a day; rules are
/// in days, so a quarter of an hour is prompt enough and costs one bucket.json read per bucket without rules).
/// An external S3 applies its own rules.
/// </summary>
internal sealed class LifecycleSweeper(EmbeddedObjectStoreProvider buckets, TimeProvider time, ILogger<LifecycleSweeper> logger) : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromMinutes(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        do
        {
            try
            {
                var sweep = await buckets.ApplyLifecycleAsync(time.GetUtcNow(), stoppingToken);
                if (sweep.ObjectsExpired + sweep.UploadsAborted > 0)
                {
                    logger.LogInformation("Lifecycle rules expired {Objects} objects and aborted {Uploads} multipart uploads", sweep.ObjectsExpired, sweep.UploadsAborted);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Applying bucket lifecycle rules failed; trying again in {Period}", Period);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
