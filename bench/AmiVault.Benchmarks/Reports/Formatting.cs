using System.Globalization;
using AmiVault.Benchmarks.Suite;

namespace AmiVault.Benchmarks.Reports;

/// <summary>How figures read in tables: units, significant digits, and what stands where nothing was measured.</summary>
internal static class Formatting
{
    public const string NotYetAvailable = "not yet available";

    public static string Value(double? value, Metric metric) => value is { } v
        ? metric switch
        {
            Metric.Seconds => v.ToString("0.000' s'", CultureInfo.InvariantCulture),
            Metric.Throughput => v.ToString(v < 10 ? "0.00' MB/s'" : "0' MB/s'", CultureInfo.InvariantCulture),
            _ => v.ToString("0.0' MiB'", CultureInfo.InvariantCulture),
        }
        : "–";

    public static string Stats(ContenderResult contender, Metric metric)
    {
        if (contender.Unavailable is not null)
        {
            return NotYetAvailable;
        }

        if (contender.Error is not null)
        {
            return "failed";
        }

        if (!contender.Stats.TryGetValue(metric, out var stats))
        {
            return "–";
        }

        return stats.Count == 1 ? Value(stats.Median, metric)
            : string.Create(CultureInfo.InvariantCulture, $"{Value(stats.Median, metric)} (±{stats.Spread * 50:0}%)");
    }

    public static string Ratio(double? ratio) => ratio is { } r ? string.Create(CultureInfo.InvariantCulture, $"{r:0.00}x") : "–";

    public static string Met(bool? met) => met switch
    {
        true => "yes",
        false => "**no**",
        null => "–",
    };

    public static string Percent(double fraction) => string.Create(CultureInfo.InvariantCulture, $"{fraction:+0.0%;-0.0%;0.0%}");
}
