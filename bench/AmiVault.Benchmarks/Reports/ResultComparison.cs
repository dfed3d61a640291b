using System.Globalization;
using System.Text;
using AmiVault.Benchmarks.Suite;

namespace AmiVault.Benchmarks.Reports;

/// <summary>
/// What changed between two suite results: each contender's medians, and each goal met or not. A change counts as
/// real when it is over 5% and the two runs' ranges do not overlap.
/// </summary>
internal static class ResultComparison
{
    public static (string Text, int Regressions) Render(SuiteResult before, SuiteResult after)
    {
        var text = new StringBuilder();
        var regressions = 0;
        text.AppendLine(Invariant($"before: {before.Date:yyyy-MM-dd HH:mm} commit {before.Commit}, {ByteSize.Format(before.Settings.ImageSize)} x {before.Settings.Repetitions}, load {before.Machine.LoadAverageAtStart}"));
        text.AppendLine(Invariant($"after:  {after.Date:yyyy-MM-dd HH:mm} commit {after.Commit}, {ByteSize.Format(after.Settings.ImageSize)} x {after.Settings.Repetitions}, load {after.Machine.LoadAverageAtStart}"));
        if (before.Settings.ImageSize != after.Settings.ImageSize || before.Settings.Mix != after.Settings.Mix || before.Machine.Cores != after.Machine.Cores)
        {
            text.AppendLine("note: different image size, mix or machine: compare ratios, not absolute values.");
        }

        foreach (var scenario in after.Scenarios)
        {
            var old = before.Scenarios.FirstOrDefault(s => s.Id == scenario.Id);
            foreach (var contender in scenario.Contenders)
            {
                var previous = old?.Contenders.FirstOrDefault(c => c.Id == contender.Id);
                var name = $"{scenario.Id}/{contender.Id}";
                if (previous is null)
                {
                    text.AppendLine($"{name}: new");
                    continue;
                }

                if ((previous.Unavailable is null) != (contender.Unavailable is null))
                {
                    text.AppendLine($"{name}: {(contender.Unavailable is null ? "now available" : "no longer available")}");
                }

                foreach (var metric in new[] { Metric.Throughput, Metric.OutputSize, Metric.PeakMemory })
                {
                    if (previous.Stats.GetValueOrDefault(metric) is not { } was || contender.Stats.GetValueOrDefault(metric) is not { } now || was.Median == 0)
                    {
                        continue;
                    }

                    var change = now.Median / was.Median - 1;
                    var real = Math.Abs(change) > 0.05 && (now.Min > was.Max || now.Max < was.Min);
                    var worse = metric == Metric.Throughput ? change < 0 : change > 0;
                    var verdict = !real ? "" : worse ? "  WORSE" : "  better";
                    regressions += real && worse ? 1 : 0;
                    text.AppendLine($"{name} {ContenderResult.Name(metric)}: {Formatting.Value(was.Median, metric)} -> {Formatting.Value(now.Median, metric)} ({Formatting.Percent(change)}){verdict}");
                }
            }

            foreach (var figure in scenario.Figures)
            {
                var previous = old?.Figures.FirstOrDefault(f => f.Name == figure.Name);
                if (previous is not null && previous.Met != figure.Met)
                {
                    text.AppendLine($"goal '{figure.Name}' ({figure.Goal}): met {Formatting.Met(previous.Met)} -> {Formatting.Met(figure.Met)}");
                }
            }
        }

        text.AppendLine(regressions == 0 ? "no real regression" : $"{regressions} real regression(s)");
        return (text.ToString(), regressions);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
