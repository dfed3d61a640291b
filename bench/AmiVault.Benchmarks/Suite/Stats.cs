namespace AmiVault.Benchmarks.Suite;

/// <summary>Median and range of one metric over the repetitions.</summary>
internal sealed record Stats(double Median, double Min, double Max, int Count)
{
    /// <summary>(max - min) / median: how far apart the repetitions were.</summary>
    public double Spread => Median == 0 ? 0 : (Max - Min) / Median;

    public static Stats? Of(IEnumerable<double> values)
    {
        var sorted = values.Where(double.IsFinite).Order().ToArray();
        if (sorted.Length == 0)
        {
            return null;
        }

        var middle = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        return new Stats(median, sorted[0], sorted[^1], sorted.Length);
    }
}
