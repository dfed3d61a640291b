namespace AmiVault.Cli.Common;

/// <summary>A failure the command explains itself: the message says what happened and what to do; no stack trace.</summary>
internal sealed class CliException(int exitCode, string message, Exception? inner = null) : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;

    public static CliException Usage(string message) => new(ExitCodes.Usage, message);

    public static CliException Configuration(string message) => new(ExitCodes.Configuration, message);

    public static CliException Verification(string message) => new(ExitCodes.VerificationFailed, message);
}
