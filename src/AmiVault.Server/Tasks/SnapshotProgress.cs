using AmiVault.Catalog;

namespace AmiVault.Tasks;

/// <summary>
/// The progress of a restore as its pending snapshots show it ("N%"): blocks restored out of all the archive lists,
/// written to the catalog one update at a time so concurrent blocks can never make a snapshot's figure go back.
/// </summary>
internal sealed class SnapshotProgress(ISnapshotCatalog snapshots, IReadOnlyList<string> snapshotIds, long totalBlocks, TimeProvider time)
{
    private readonly ProgressTracker _tracker = new(totalBlocks, time);
    private readonly SemaphoreSlim _writing = new(1, 1);

    public async ValueTask AdvanceAsync(CancellationToken cancellationToken)
    {
        if (_tracker.Advance(1) is null || !await _writing.WaitAsync(0, cancellationToken))
        {
            // Not worth writing yet, or a write is under way: the next one carries the latest figure.
            return;
        }

        try
        {
            var percent = _tracker.Percent;
            foreach (var snapshotId in snapshotIds)
            {
                if (await snapshots.GetAsync(snapshotId, cancellationToken) is { Status: SnapshotStatus.Pending } snapshot && snapshot.Progress < percent)
                {
                    await snapshots.UpdateAsync(snapshot with { Progress = percent }, cancellationToken);
                }
            }
        }
        finally
        {
            _writing.Release();
        }
    }
}
