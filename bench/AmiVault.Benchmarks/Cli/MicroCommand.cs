using System.CommandLine;
using AmiVault.Benchmarks.Micro;
using BenchmarkDotNet.Running;

namespace AmiVault.Benchmarks.Cli;

/// <summary>`micro [--smoke] [BenchmarkDotNet options]`: the hot-path micro-benchmarks (all of them unless --filter).</summary>
internal static class MicroCommand
{
    public static Command Create()
    {
        var smoke = new Option<bool>("--smoke") { Description = "One dry pass of each benchmark: checks they run, measures nothing." };
        var artifacts = new Option<string>("--artifacts") { Description = "BenchmarkDotNet's reports folder.", DefaultValueFactory = _ => "BenchmarkDotNet.Artifacts" };
        var command = new Command("micro", "BenchmarkDotNet micro-benchmarks of the hot paths; other options go to BenchmarkDotNet (e.g. --filter '*Zstd*').")
        {
            smoke, artifacts,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parse =>
        {
            string[] rest = [.. parse.UnmatchedTokens];
            if (!rest.Contains("--filter"))
            {
                rest = [.. rest, "--filter", "*"];
            }

            var summaries = BenchmarkSwitcher.FromAssembly(typeof(MicroConfig).Assembly)
                .Run(rest, MicroConfig.Create(parse.GetValue(smoke), parse.GetValue(artifacts)!))
                .ToList();
            return summaries.Count > 0 && summaries.All(s => !s.HasCriticalValidationErrors && s.Reports.All(r => r.Success)) ? 0 : 1;
        });
        return command;
    }
}
