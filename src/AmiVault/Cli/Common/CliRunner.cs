using System.CommandLine;

namespace AmiVault.Cli.Common;

/// <summary>
/// The options every command shares (--output, --quiet, --debug) and the one way a command runs: its action gets a
/// <see cref="CliContext"/>, and whatever it throws becomes a message that says what to do and an exit code.
/// </summary>
internal sealed class CliRunner(CliHost host)
{
    public CliHost Host => host;

    public Option<string?> Output { get; } = CreateOutput();

    public Option<bool> Quiet { get; } = new("--quiet", "-q") { Description = "No progress or notes on stderr; only the result and errors.", Recursive = true };

    public Option<bool> Debug { get; } = new("--debug") { Description = "Show the full error, stack trace included, when a command fails.", Recursive = true };

    public void AddGlobalOptions(Command root)
    {
        root.Options.Add(Output);
        root.Options.Add(Quiet);
        root.Options.Add(Debug);
    }

    public void SetAction(Command command, Func<CliContext, Task<int>> action) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = new CliContext(this, parse, cancellationToken);
            try
            {
                return await action(context);
            }
            catch (Exception e)
            {
                return context.Fail(e);
            }
        });

    private static Option<string?> CreateOutput()
    {
        var option = new Option<string?>("--output")
        {
            Description = "Result format: json (default), text or table (default: AWS_DEFAULT_OUTPUT, or the profile's output).",
            Recursive = true,
        };
        option.AcceptOnlyFromAmong("json", "text", "table");
        return option;
    }
}
