using System.CommandLine;
using AmiVault.Benchmarks.Reports;

namespace AmiVault.Benchmarks.Cli;

internal static class ReportCommand
{
    /// <summary>`report RESULT.json`: writes the docs again from a result, e.g. after the report's format changed.</summary>
    public static Command Create()
    {
        var result = new Argument<FileInfo>("result") { Description = "A suite result (bench-results/*.json)." };
        var docsDir = new Option<string>("--docs-dir") { Description = "Where benchmarks.md/.json/-throughput.png go.", DefaultValueFactory = _ => "docs" };
        var command = new Command("report", "Write docs/benchmarks.* from a suite result.") { result, docsDir };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await SuiteCommand.WriteDocsAsync(await ResultFile.ReadAsync(parse.GetValue(result)!.FullName, cancellationToken), parse.GetValue(docsDir)!, cancellationToken);
            return 0;
        });
        return command;
    }
}
