using AmiVault.Benchmarks.Suite;
using ScottPlot;

namespace AmiVault.Benchmarks.Reports;

/// <summary>A PNG of throughput by image size, one line per contender series (store side solid, restore side dashed).</summary>
internal static class ThroughputChart
{
    /// <summary>Writes the chart; false when no series has two or more sizes measured.</summary>
    public static bool Write(SuiteResult result, string path, IReadOnlySet<string> dashedSeries)
    {
        var series = result.Scenarios
            .SelectMany(s => s.Contenders)
            .Where(c => c.Series is not null && c.ImageSize is not null && c.Stats.ContainsKey(Metric.Throughput))
            .GroupBy(c => c.Series!)
            .Where(g => g.Count() >= 2)
            .ToList();
        if (series.Count == 0)
        {
            return false;
        }

        var plot = new Plot();
        foreach (var line in series)
        {
            var points = line.OrderBy(c => c.ImageSize).ToList();
            var scatter = plot.Add.Scatter(
                points.Select(c => c.ImageSize!.Value / (double)(1L << 30)).ToArray(),
                points.Select(c => c.Stats[Metric.Throughput].Median).ToArray());
            scatter.LegendText = line.Key;
            scatter.LineWidth = 2;
            scatter.MarkerSize = 7;
            if (dashedSeries.Contains(line.Key))
            {
                scatter.LinePattern = LinePattern.Dashed;
            }
        }

        plot.Title($"Store and restore throughput ({result.Machine.Cores} cores, {result.Date:yyyy-MM-dd})");
        plot.Axes.Bottom.Label.Text = "image size (GiB)";
        plot.Axes.Left.Label.Text = "MB/s of image";
        plot.Axes.SetLimitsY(0, series.SelectMany(s => s).Max(c => c.Stats[Metric.Throughput].Median) * 1.35);
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, 900, 520);
        return true;
    }
}
