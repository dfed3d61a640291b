namespace AmiVault.Tasks;

/// <summary>
/// Turns units of work done into a whole percentage that only grows (from <c>floor</c>, what an earlier attempt
/// already reported) and never shows 100 before the end, and says
/// when it changed enough to be worth writing to the catalog (each whole percent, at most every 250 ms).
/// </summary>
internal sealed class ProgressTracker(long total, TimeProvider time, int floor = 0)
{
    private static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(250);
    private readonly object _gate = new();
    private long _done;
    private int _reported = floor;
    private DateTimeOffset _lastReport = DateTimeOffset.MinValue;

    public int Percent
    {
        get
        {
            lock (_gate)
            {
                return _reported;
            }
        }
    }

    /// <summary>Adds <paramref name="units"/>; returns the new percentage when it should be recorded, else null.</summary>
    public int? Advance(long units)
    {
        lock (_gate)
        {
            _done += units;
            var percent = total <= 0 ? 99 : (int)Math.Min(99, _done * 100 / total);
            var now = time.GetUtcNow();
            if (percent <= _reported || now - _lastReport < MinInterval)
            {
                return null;
            }

            _reported = percent;
            _lastReport = now;
            return percent;
        }
    }
}
