namespace AmiVault.Benchmarks.Suite;

/// <summary>
/// The `amivault` client commands run as a user runs them, in their own process (so GNU time gives their peak
/// memory), with the bench account's keys in the environment and a HOME of their own (no ~/.aws of the machine).
/// </summary>
internal static class AmiVaultCommand
{
    public static string Executable => Path.Combine(AppContext.BaseDirectory, "amivault");

    /// <summary>AWS CLI-style settings for the bench account, for amivault and for the AWS CLI alike.</summary>
    public static Dictionary<string, string?> Environment(string home) => new()
    {
        ["HOME"] = home,
        ["AWS_ACCESS_KEY_ID"] = AmiVaultServerProcess.AccessKeyId,
        ["AWS_SECRET_ACCESS_KEY"] = AmiVaultServerProcess.SecretAccessKey,
        ["AWS_DEFAULT_REGION"] = "us-east-1",
    };

    public static Task<ExternalCommand.Result> RunAsync(string home, IEnumerable<string> arguments, CancellationToken cancellationToken, string? stdoutFile = null)
    {
        Directory.CreateDirectory(home);
        return ExternalCommand.RunAsync(Executable, [.. arguments, "--quiet"], cancellationToken, stdoutFile: stdoutFile, environment: Environment(home));
    }
}
