using System.CommandLine;
using AmiVault.Benchmarks.Cli;

var root = new RootCommand("AmiVault benchmarks: the suite against peers (suite, compare), micro-benchmarks (micro), inputs (generate).")
{
    SuiteCommand.Create(),
    CompareCommand.Create(),
    ReportCommand.Create(),
    MicroCommand.Create(),
    GenerateCommand.Create(),
};

return await root.Parse(args).InvokeAsync();
