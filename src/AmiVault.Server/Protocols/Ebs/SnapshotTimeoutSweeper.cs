using AmiVault.Catalog;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AmiVault.Protocols.Ebs;

/// <summary>
/// Puts pending snapshots whose StartSnapshot Timeout ran out (no block written and no completion within it) into
/// error, as EBS does. Runs every <see cref="Period"/>; also after a restart, since deadlines are in the catalog.
/// </summary>
internal sealed class SnapshotTimeoutSweeper(ISnapshotCatalog snapshots, SnapshotWriteGates gates, TimeProvider time, ILogger<SnapshotTimeoutSweeper> logger)
    : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(30);

    /// <summary>Errors every pending snapshot past its deadline at <paramref name="now"/>; returns their ids.</summary>
    public async Task<IReadOnlyList<string>> SweepAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var expired = new List<string>();
        foreach (var candidate in await snapshots.ListExpiredPendingAsync(now, cancellationToken))
        {
            using var closure = await gates.CloseAsync(candidate.SnapshotId, cancellationToken);

            // A write that was in flight may have moved the deadline; look again with the gate shut.
            var snapshot = await snapshots.GetAsync(candidate.SnapshotId, cancellationToken);
            if (snapshot is not { Status: SnapshotStatus.Pending, Deadline: { } deadline } || deadline >= now)
            {
                continue;
            }

            await snapshots.UpdateAsync(snapshot with
            {
                Status = SnapshotStatus.Error,
                StateMessage = $"The snapshot was not completed within its timeout of {snapshot.TimeoutMinutes ?? 60} minutes after its last block write.",
                Deadline = null,
            }, cancellationToken);
            closure.Retire();
            expired.Add(snapshot.SnapshotId);
            logger.LogInformation("Snapshot {SnapshotId} of {OwnerId} timed out and is now in error", snapshot.SnapshotId, snapshot.OwnerId);
        }

        return expired;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        do
        {
            try
            {
                await SweepAsync(time.GetUtcNow(), stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Sweeping timed-out snapshots failed; trying again in {Period}", Period);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
