using System.Diagnostics;
using System.Globalization;

namespace AmiVault.Benchmarks.Suite;

/// <summary>Runs the scenarios: per scenario, set up once, then every available contender in turn, rep after rep.</summary>
internal sealed class SuiteRunner(SuiteContext context, string command)
{
    public async Task<SuiteResult> RunAsync(IReadOnlyList<Scenario> scenarios, CancellationToken cancellationToken)
    {
        var machine = MachineInfo.Read(context.Settings.WorkDir);
        System.Console.WriteLine($"Machine: {machine.Cores} cores, {machine.Cpu}, {machine.MemoryBytes / (1L << 30)} GiB, {machine.Dotnet}, load {machine.LoadAverageAtStart}");
        var total = Stopwatch.StartNew();
        var failures = new List<string>();
        var results = new List<ScenarioResult>();
        foreach (var scenario in scenarios)
        {
            await using (scenario)
            {
                results.Add(await RunScenarioAsync(scenario, failures, cancellationToken));
            }
        }

        return new SuiteResult(
            DateTimeOffset.UtcNow, command, ExternalCommand.FirstLine("git", "rev-parse", "--short", "HEAD"), machine,
            context.Settings, context.Inputs, results, failures, total.Elapsed.TotalSeconds);
    }

    private async Task<ScenarioResult> RunScenarioAsync(Scenario scenario, List<string> failures, CancellationToken cancellationToken)
    {
        System.Console.WriteLine($"== {scenario.Title} [{scenario.Id}] ({scenario.Issue})");
        var stopwatch = Stopwatch.StartNew();
        var all = scenario.Contenders;
        var samples = all.ToDictionary(c => c.Id, _ => new List<Sample>());
        var errors = new Dictionary<string, string>();
        foreach (var contender in all.Where(c => c.Unavailable is not null))
        {
            System.Console.WriteLine($"  {contender.Id}: not yet available ({contender.Unavailable})");
        }

        var runnable = all.Where(c => c.Unavailable is null).ToList();
        if (runnable.Count > 0)
        {
            try
            {
                await scenario.SetUpAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                foreach (var contender in runnable)
                {
                    errors[contender.Id] = $"set-up failed: {e.Message}";
                }

                failures.Add($"{scenario.Id}: set-up failed: {e}");
                System.Console.WriteLine($"  set-up failed: {e.Message}");
            }
        }

        for (var rep = 1; rep <= context.Settings.Repetitions; rep++)
        {
            foreach (var contender in runnable.Where(c => !errors.ContainsKey(c.Id)))
            {
                try
                {
                    var sample = await MeasureAsync(contender, cancellationToken);
                    samples[contender.Id].Add(sample);
                    System.Console.WriteLine($"  rep {rep} {contender.Id}: {Describe(sample)}");
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    errors[contender.Id] = e.Message;
                    failures.Add($"{scenario.Id}/{contender.Id}: {e}");
                    System.Console.WriteLine($"  rep {rep} {contender.Id}: FAILED {e.Message}");
                }
            }
        }

        var contenders = all.Select(c => ContenderResult.From(c, samples[c.Id], errors.GetValueOrDefault(c.Id))).ToList();
        return new ScenarioResult(scenario.Id, scenario.Title, scenario.Issue, contenders,
            scenario.Figures.Select(f => FigureResult.From(f, contenders)).ToList(), stopwatch.Elapsed.TotalSeconds);
    }

    private static async Task<Sample> MeasureAsync(Contender contender, CancellationToken cancellationToken)
    {
        // Garbage from the contender before should not be collected on this one's time, nor count in its peak.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        if (contender.InProcess)
        {
            PeakMemory.ResetThisProcess();
        }

        var sample = await contender.RunAsync(cancellationToken);
        return contender.InProcess && sample.PeakMemoryBytes is null ? sample with { PeakMemoryBytes = PeakMemory.OfThisProcess() } : sample;
    }

    private static string Describe(Sample sample)
    {
        var parts = new List<string> { string.Create(CultureInfo.InvariantCulture, $"{sample.Seconds:0.000} s") };
        if (sample.Bytes > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{sample.Bytes / 1e6 / sample.Seconds:0} MB/s"));
        }

        if (sample.OutputBytes is { } output)
        {
            parts.Add($"output {ByteSize.Format(output)}");
        }

        if (sample.PeakMemoryBytes is { } peak)
        {
            parts.Add($"peak {ByteSize.Format(peak)}");
        }

        return string.Join(", ", parts);
    }
}
