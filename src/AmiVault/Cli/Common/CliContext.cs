using System.CommandLine;
using System.Text.Json.Nodes;

namespace AmiVault.Cli.Common;

/// <summary>One run of one command: its parsed arguments, where it writes, how it reports progress and failure.</summary>
internal sealed class CliContext(CliRunner runner, ParseResult parse, CancellationToken cancellationToken)
{
    public CliHost Host => runner.Host;

    public ParseResult Parse => parse;

    public CancellationToken CancellationToken => cancellationToken;

    public bool Quiet => parse.GetValue(runner.Quiet);

    public bool Debug => parse.GetValue(runner.Debug);

    public string CommandName => parse.CommandResult.Command.Name;

    /// <summary>--output, else AWS_DEFAULT_OUTPUT, else the active profile's `output`, else json (as the AWS CLI).</summary>
    public OutputFormat Output
    {
        get
        {
            var name = parse.GetValue(runner.Output) ?? Host.NonEmpty("AWS_DEFAULT_OUTPUT")
                ?? AwsConfigFiles.Load(Host).Get(Host.NonEmpty("AWS_PROFILE") ?? "default", "output") ?? "json";
            return Enum.TryParse<OutputFormat>(name, ignoreCase: true, out var format) && !int.TryParse(name, out _)
                ? format
                : throw CliException.Configuration($"Output format '{name}' (from AWS_DEFAULT_OUTPUT or the profile) is not json, text or table.");
        }
    }

    public T Value<T>(Option<T> option) => parse.GetValue(option)!;

    public T Value<T>(Argument<T> argument) => parse.GetValue(argument)!;

    public AwsConnection Connect(ConnectionOptions options, string what = "the endpoint") => AwsConnection.Resolve(Host, options.Read(parse), what);

    public ProgressReporter Progress(string label, long total) => new(Quiet ? null : Host, label, total);

    /// <summary>A line for people on stderr (what is happening, what to do next), silenced by --quiet.</summary>
    public void Note(string line)
    {
        if (!Quiet)
        {
            Host.Error.WriteLine(line);
            Host.Error.Flush();
        }
    }

    public void WriteResult(string title, JsonObject result) => ResultWriter.Write(Host.Out, Output, title, result);

    /// <summary>Reports a failure on stderr and gives its exit code.</summary>
    public int Fail(Exception e)
    {
        var (code, message) = CliErrors.Describe(e, cancellationToken.IsCancellationRequested);
        Host.Error.WriteLine($"amivault {CommandName}: {message}");
        if (Debug)
        {
            Host.Error.WriteLine(e.ToString());
        }

        Host.Error.Flush();
        return code;
    }
}
