namespace AmiVault.Benchmarks.Suite;

/// <summary>What one contender did over the run: its samples and their statistics per metric.</summary>
internal sealed record ContenderResult(
    string Id,
    string Label,
    Role Role,
    string? Series,
    long? ImageSize,
    string? Unavailable,
    string? Error,
    IReadOnlyList<Sample> Samples,
    IReadOnlyDictionary<Metric, Stats> Stats)
{
    public const double MiB = 1 << 20;

    public static ContenderResult From(Contender contender, IReadOnlyList<Sample> samples, string? error)
    {
        var stats = new Dictionary<Metric, Stats>();
        foreach (var metric in Enum.GetValues<Metric>())
        {
            if (Suite.Stats.Of(samples.Select(s => Value(s, metric) ?? double.NaN)) is { } value)
            {
                stats[metric] = value;
            }
        }

        return new ContenderResult(contender.Id, contender.Label, contender.Role, contender.Series, contender.ImageSize, contender.Unavailable, error, samples, stats);
    }

    public static double? Value(Sample sample, Metric metric) => metric switch
    {
        Metric.Throughput => sample.Seconds > 0 && sample.Bytes > 0 ? sample.Bytes / 1e6 / sample.Seconds : null,
        Metric.Seconds => sample.Seconds,
        Metric.OutputSize => sample.OutputBytes / MiB,
        Metric.PeakMemory => sample.PeakMemoryBytes / MiB,
        _ => null,
    };

    public static string Name(Metric metric) => metric switch
    {
        Metric.Throughput => "throughput",
        Metric.Seconds => "time",
        Metric.OutputSize => "output",
        _ => "peak memory",
    };

    public double? Median(Metric metric) => Stats.TryGetValue(metric, out var stats) ? stats.Median : null;
}
