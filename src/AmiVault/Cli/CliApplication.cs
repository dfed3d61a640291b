using System.CommandLine;
using AmiVault.Cli.Common;

namespace AmiVault.Cli;

/// <summary>The `amivault` command tree, and running it: what Program does, and what tests do in-process.</summary>
internal static class CliApplication
{
    private const string Description = "AmiVault: store machine images in S3 and restore them anywhere, with the AWS APIs.";

    public static RootCommand CreateRoot(CliRunner runner)
    {
        var root = new RootCommand($"{Description}\n\n{ExitCodes.HelpText}\nDocumentation: docs/cli.md.")
        {
            ServeCommand.Create(runner),
            ImportDiskCommand.Create(runner),
            ExportSnapshotCommand.Create(runner),
            CopyCommand.Create(runner),
            SyncCommand.Create(runner),
            InspectCommand.Create(runner),
            VerifyCommand.Create(runner),
            DemoCommand.Create(runner),
            MigrateCommand.Create(runner),
        };
        runner.AddGlobalOptions(root);
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliHost host, CancellationToken cancellationToken = default)
    {
        var parse = CreateRoot(new CliRunner(host)).Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await host.Error.WriteLineAsync($"amivault: {error.Message}");
            }

            await host.Error.WriteLineAsync($"Run '{string.Join(' ', CommandPath(parse).Prepend("amivault"))} --help' for usage.");
            return ExitCodes.Usage;
        }

        return await parse.InvokeAsync(new InvocationConfiguration
        {
            Output = host.Out,
            Error = host.Error,

            // Long enough for an interrupted command to clean up (delete a temporary file, an unfinished snapshot).
            ProcessTerminationTimeout = host.HandlesSignals ? TimeSpan.FromSeconds(30) : null,
        }, cancellationToken);
    }

    private static IEnumerable<string> CommandPath(ParseResult parse)
    {
        var names = new Stack<string>();
        for (var result = parse.CommandResult; result.Parent is System.CommandLine.Parsing.CommandResult parent; result = parent)
        {
            names.Push(result.Command.Name);
        }

        return names;
    }
}
