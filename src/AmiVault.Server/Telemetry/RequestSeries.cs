namespace AmiVault.Telemetry;

/// <summary>The requests of one (protocol, action, status) series: a count and a latency histogram with fixed buckets.</summary>
internal sealed class RequestSeries
{
    /// <summary>Upper bounds in seconds, from a cached describe to a large object streamed.</summary>
    public static readonly double[] Bounds = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private readonly long[] _buckets = new long[Bounds.Length];
    private long _count;
    private double _sum;

    public void Record(double seconds)
    {
        var bucket = Array.FindIndex(Bounds, b => seconds <= b);
        lock (_buckets)
        {
            if (bucket >= 0)
            {
                _buckets[bucket]++;
            }

            _count++;
            _sum += seconds;
        }
    }

    /// <summary>Cumulative bucket counts (Prometheus's le semantics), then the count and the sum.</summary>
    public (long[] Cumulative, long Count, double Sum) Snapshot()
    {
        lock (_buckets)
        {
            var cumulative = new long[Bounds.Length];
            var running = 0L;
            for (var i = 0; i < Bounds.Length; i++)
            {
                running += _buckets[i];
                cumulative[i] = running;
            }

            return (cumulative, _count, _sum);
        }
    }
}
