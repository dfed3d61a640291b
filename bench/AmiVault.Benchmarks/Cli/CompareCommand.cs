using System.CommandLine;
using AmiVault.Benchmarks.Reports;

namespace AmiVault.Benchmarks.Cli;

/// <summary>`compare OLD.json NEW.json`: prints what changed between two suite runs.</summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var before = new Argument<FileInfo>("old") { Description = "An earlier result (bench-results/*.json or docs/benchmarks.json)." };
        var after = new Argument<FileInfo>("new") { Description = "A later result." };
        var failOnRegression = new Option<bool>("--fail-on-regression") { Description = "Exit with 1 when something got really worse." };
        var command = new Command("compare", "Compare two suite results.") { before, after, failOnRegression };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (text, regressions) = ResultComparison.Render(
                await ResultFile.ReadAsync(parse.GetValue(before)!.FullName, cancellationToken),
                await ResultFile.ReadAsync(parse.GetValue(after)!.FullName, cancellationToken));
            System.Console.Write(text);
            return regressions > 0 && parse.GetValue(failOnRegression) ? 1 : 0;
        });
        return command;
    }
}
