using System.Diagnostics;
using AmiVault.Accounts;

namespace AmiVault.Tests.Support;

/// <summary>
/// Runs the real AWS CLI v2 (/usr/bin/aws, not a pyenv v1 on PATH) against a test server, with the account's keys
/// and nothing from the user's own AWS configuration.
/// </summary>
internal sealed class AwsCli(TestServer server, Account account)
{
    public const string Path = "/usr/bin/aws";

    public sealed record Result(int ExitCode, string Output, string Error);

    public async Task<Result> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(Path) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("--endpoint-url");
        start.ArgumentList.Add(server.EndpointUrl);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["AWS_ACCESS_KEY_ID"] = account.AccessKeyId;
        start.Environment["AWS_SECRET_ACCESS_KEY"] = account.SecretAccessKey;
        start.Environment["AWS_DEFAULT_REGION"] = server.Region;
        start.Environment["AWS_CONFIG_FILE"] = "/dev/null";
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        start.Environment["AWS_PAGER"] = "";
        start.Environment.Remove("AWS_PROFILE");
        start.Environment.Remove("AWS_SESSION_TOKEN");
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{Path} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await output, await error);
    }

    /// <summary>Runs a command that must succeed, and returns what it printed.</summary>
    public async Task<string> OkAsync(params string[] arguments)
    {
        var result = await RunAsync(arguments);
        Assert.True(result.ExitCode == 0, $"aws {string.Join(' ', arguments)} failed ({result.ExitCode}): {result.Error}");
        return result.Output;
    }
}
