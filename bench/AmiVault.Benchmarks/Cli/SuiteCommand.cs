using System.CommandLine;
using AmiVault.Benchmarks.Reports;
using AmiVault.Benchmarks.Scenarios;
using AmiVault.Benchmarks.Suite;
using AmiVault.Imaging;

namespace AmiVault.Benchmarks.Cli;

/// <summary>`suite`: every scenario with its peers, then the JSON result, docs/benchmarks.md and the chart.</summary>
internal static class SuiteCommand
{
    public static Command Create()
    {
        var smoke = new Option<bool>("--smoke") { Description = "Tiny inputs, each contender once: checks that every benchmark still runs (CI)." };
        var size = new Option<string?>("--size") { Description = "Main image size (default 2G; 16M with --smoke)." };
        var reps = new Option<int?>("--reps") { Description = "Repetitions of each contender (default 3; 1 with --smoke)." };
        var seed = new Option<ulong>("--seed") { Description = "Image generator seed.", DefaultValueFactory = _ => 1 };
        var mix = new Option<string>("--mix") { Description = "Image content mix.", DefaultValueFactory = _ => DiskImageMix.SystemDisk.ToString() };
        var only = new Option<string?>("--only") { Description = "Comma-separated scenario ids to run (default: all)." };
        var workDir = new Option<string>("--work-dir") { Description = "Inputs (kept between runs) and scratch files.", DefaultValueFactory = _ => "bench-work" };
        var resultsDir = new Option<string?>("--results-dir") { Description = "Where DATE.json goes (default bench-results; the work dir with --smoke)." };
        var docsDir = new Option<string?>("--docs-dir") { Description = "Where benchmarks.md/.json/-throughput.png go (default docs; none with --smoke or --only)." };
        var commandLine = new Option<string?>("--command-line") { Description = "The command to print in the report (run.sh passes its own)." };

        var command = new Command("suite", "Run the benchmark suite against the peers and write the results.")
        {
            smoke, size, reps, seed, mix, only, workDir, resultsDir, docsDir, commandLine,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var isSmoke = parse.GetValue(smoke);
            var settings = new SuiteSettings(
                ByteSize.Parse(parse.GetValue(size) ?? (isSmoke ? "16M" : "2G")),
                parse.GetValue(reps) ?? (isSmoke ? 1 : 3),
                isSmoke,
                parse.GetValue(seed),
                DiskImageMix.Parse(parse.GetValue(mix)!).ToString(),
                Path.GetFullPath(parse.GetValue(workDir)!),
                parse.GetValue(only));
            var context = new SuiteContext(settings);
            var selected = settings.Only?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet();
            var scenarios = ScenarioRegistry.Create(context).Where(s => selected is null || selected.Contains(s.Id)).ToList();
            var runner = new SuiteRunner(context, (parse.GetValue(commandLine) ?? "dotnet run -c Release --project bench/AmiVault.Benchmarks -- " + string.Join(' ', parse.Tokens.Select(t => t.Value))).Trim());
            SuiteResult result;
            try
            {
                result = await runner.RunAsync(scenarios, cancellationToken);
            }
            finally
            {
                var scratch = Path.Combine(settings.WorkDir, "scratch");
                if (Directory.Exists(scratch))
                {
                    Directory.Delete(scratch, recursive: true);
                }
            }

            var results = parse.GetValue(resultsDir) ?? (isSmoke ? Path.Combine(settings.WorkDir, "results") : "bench-results");
            var json = Path.Combine(results, $"{(isSmoke ? "smoke-" : "")}{result.Date:yyyy-MM-dd'T'HHmmss}.json");
            await ResultFile.WriteAsync(result, json, cancellationToken);
            System.Console.WriteLine();
            System.Console.WriteLine(MarkdownReport.Render(result, chartFileName: null).Split("## Measurements")[0].Split("## Goals")[1].Trim());
            System.Console.WriteLine();
            System.Console.WriteLine($"Results: {Path.GetFullPath(json)}");
            // The docs show a whole run: a smoke run or a run of some scenarios only goes there when asked.
            if ((parse.GetValue(docsDir) ?? (isSmoke || selected is not null ? null : "docs")) is { } docs)
            {
                await WriteDocsAsync(result, docs, cancellationToken);
            }

            var ran = result.Scenarios.Sum(s => s.Contenders.Count(c => c.Unavailable is null));
            var waiting = result.Scenarios.Sum(s => s.Contenders.Count(c => c.Unavailable is not null));
            System.Console.WriteLine($"Suite: {ran - result.Failures.Count} contenders ran, {result.Failures.Count} failed, {waiting} not yet available, in {result.Seconds:0} s.");
            foreach (var failure in result.Failures)
            {
                System.Console.Error.WriteLine($"FAILED {failure}");
            }

            return result.Failures.Count == 0 ? 0 : 1;
        });
        return command;
    }

    /// <summary>docs/benchmarks.json, .md and -throughput.png from a result (also `report`, to redo them from a JSON).</summary>
    public static async Task WriteDocsAsync(SuiteResult result, string docs, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(docs);
        await ResultFile.WriteAsync(result, Path.Combine(docs, "benchmarks.json"), cancellationToken);
        const string chart = "benchmarks-throughput.png";
        var dashed = new HashSet<string> { "zstd -d", "restic dump", StoreRestoreScenario.RestoreSeries };
        var charted = ThroughputChart.Write(result, Path.Combine(docs, chart), dashed);
        await MarkdownReport.WriteAsync(result, Path.Combine(docs, "benchmarks.md"), charted ? chart : null, cancellationToken);
        System.Console.WriteLine($"Report: {Path.GetFullPath(Path.Combine(docs, "benchmarks.md"))}");
    }
}
