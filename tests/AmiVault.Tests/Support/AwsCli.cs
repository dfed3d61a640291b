using System.Diagnostics;
using System.Text.Json;
using AmiVault.Accounts;

namespace AmiVault.Tests.Support;

/// <summary>What one run of the AWS CLI printed and returned.</summary>
public sealed record AwsCliResult(int ExitCode, string Stdout, string Stderr)
{
    public JsonElement Json => JsonDocument.Parse(Stdout).RootElement;

    /// <summary>Fails the test with the CLI's own words unless it succeeded.</summary>
    public AwsCliResult EnsureSuccess() =>
        ExitCode == 0 ? this : throw new Xunit.Sdk.XunitException($"aws exited {ExitCode}: {Stderr}{Stdout}");

    /// <summary>The error code the CLI printed ("An error occurred (CODE) when calling …"), or null.</summary>
    public string? ErrorCode
    {
        get
        {
            var start = Stderr.IndexOf("An error occurred (", StringComparison.Ordinal);
            if (start < 0)
            {
                return null;
            }

            start += "An error occurred (".Length;
            var end = Stderr.IndexOf(')', start);
            return end < 0 ? null : Stderr[start..end];
        }
    }
}

/// <summary>
/// Runs the real AWS CLI v2 (/usr/bin/aws) against a test server: keys and region from the environment as a user
/// would set them, no config or credentials file of the machine, one attempt (errors are the server's, not retries).
/// </summary>
internal static class AwsCli
{
    public const string Path = "/usr/bin/aws";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    public static Task<AwsCliResult> RunAsync(TestServer server, params string[] args) => RunAsync(server, TestServer.Alice, null, args);

    public static Task<AwsCliResult> RunAsync(TestServer server, Account account, string? secretOverride, params string[] args) =>
        RunAsync(server, account, secretOverride, new Dictionary<string, string>(), args);

    /// <summary>Runs the CLI with <paramref name="environment"/> added to what it is given anyway (AWS_DATA_PATH…).</summary>
    public static async Task<AwsCliResult> RunAsync(TestServer server, Account account, string? secretOverride, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo(Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.ArgumentList.Add("--endpoint-url");
        start.ArgumentList.Add(server.EndpointUrl);
        start.ArgumentList.Add("--output");
        start.ArgumentList.Add("json");
        var env = start.Environment;
        env["AWS_ACCESS_KEY_ID"] = account.AccessKeyId;
        env["AWS_SECRET_ACCESS_KEY"] = secretOverride ?? account.SecretAccessKey;
        env["AWS_DEFAULT_REGION"] = server.Region;
        env.Remove("AWS_SESSION_TOKEN");
        env.Remove("AWS_PROFILE");
        env["AWS_CONFIG_FILE"] = "/dev/null";
        env["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
        env["AWS_PAGER"] = "";
        env["AWS_MAX_ATTEMPTS"] = "1";
        env["AWS_EC2_METADATA_DISABLED"] = "true";
        foreach (var (name, value) in environment)
        {
            env[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Path}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"aws {string.Join(' ', args)} did not finish within {Timeout}.");
        }

        return new AwsCliResult(process.ExitCode, await stdout, await stderr);
    }
}
