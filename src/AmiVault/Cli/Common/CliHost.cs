namespace AmiVault.Cli.Common;

/// <summary>
/// Everything a command touches outside itself: the environment it reads settings from, where results and messages
/// go, whether messages go to a terminal. The process's own for `amivault`; a captured one in tests, so that many
/// commands can run side by side in one process with different environments.
/// </summary>
internal sealed class CliHost
{
    /// <summary>Results (what scripts parse).</summary>
    public required TextWriter Out { get; init; }

    /// <summary>Progress, notes and errors (what people read).</summary>
    public required TextWriter Error { get; init; }

    /// <summary>Whether <see cref="Error"/> is a terminal, where progress redraws one line in place.</summary>
    public bool ErrorIsTerminal { get; init; }

    public required Func<string, string?> Environment { get; init; }

    /// <summary>Whether Ctrl-C and SIGTERM cancel the running command (the process only; tests cancel with a token).</summary>
    public bool HandlesSignals { get; init; }

    /// <summary>
    /// Whether credentials may come from the SDK's default chain when neither the environment nor a profile has
    /// them (instance roles, container credentials): true for the process, whose environment the SDK also sees.
    /// </summary>
    public bool AllowAmbientCredentials { get; init; }

    /// <summary>How often progress is written as a plain line when <see cref="Error"/> is not a terminal.</summary>
    public TimeSpan PlainProgressInterval { get; init; } = TimeSpan.FromSeconds(5);

    public static CliHost FromProcess() => new()
    {
        Out = System.Console.Out,
        Error = System.Console.Error,
        ErrorIsTerminal = !System.Console.IsErrorRedirected,
        Environment = System.Environment.GetEnvironmentVariable,
        HandlesSignals = true,
        AllowAmbientCredentials = true,
    };

    public string HomeDirectory =>
        NonEmpty("HOME") ?? System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile);

    /// <summary>An environment variable, with empty treated as unset (as the AWS CLI does).</summary>
    public string? NonEmpty(string name) => Environment(name) is { Length: > 0 } value ? value : null;
}
