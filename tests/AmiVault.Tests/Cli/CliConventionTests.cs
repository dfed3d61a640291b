using System.Diagnostics;
using AmiVault.Imaging;
using AmiVault.Tests.Support;

namespace AmiVault.Tests.Cli;

/// <summary>What every command shares: AWS CLI conventions for settings, exit codes, errors without stack traces.</summary>
public sealed class CliConventionTests : IDisposable
{
    private readonly AmivaultCli _cli = new();

    [Fact]
    public async Task An_unknown_option_is_a_usage_error_with_exit_252()
    {
        var result = await _cli.RunAsync("copy", "s3://a/b", "s3://c/d", "--no-such-option");

        Assert.Equal(252, result.ExitCode);
        Assert.Contains("--no-such-option", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("amivault copy --help", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_credentials_a_command_says_what_to_set_with_exit_253()
    {
        var result = await _cli.RunAsync("inspect", "s3://images/ami-1.bin", "--region", "us-east-1");

        Assert.Equal(253, result.ExitCode);
        Assert.Contains("Unable to locate credentials", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("AWS_ACCESS_KEY_ID", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_region_a_command_says_how_to_give_one()
    {
        _cli["AWS_ACCESS_KEY_ID"] = "AKIAEXAMPLE";
        _cli["AWS_SECRET_ACCESS_KEY"] = "secret";

        var result = await _cli.RunAsync("export-snapshot", "snap-0123456789abcdef0", Path.Combine(_cli.Home, "x.img"));

        Assert.Equal(253, result.ExitCode);
        Assert.Contains("--region", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("AWS_REGION", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_profile_is_named_in_the_error()
    {
        var result = await _cli.RunAsync("inspect", "s3://images/ami-1.bin", "--profile", "nope");

        Assert.Equal(253, result.ExitCode);
        Assert.Contains("The config profile (nope) could not be found", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_region_and_service_endpoint_from_the_environment_work_as_with_the_aws_cli()
    {
        await using var server = await TestServer.StartAsync("ap-south-1");
        _cli["AWS_ACCESS_KEY_ID"] = TestServer.Bob.AccessKeyId;
        _cli["AWS_SECRET_ACCESS_KEY"] = TestServer.Bob.SecretAccessKey;
        _cli["AWS_DEFAULT_REGION"] = "ap-south-1";
        _cli["AWS_ENDPOINT_URL"] = "http://127.0.0.1:1";
        _cli["AWS_ENDPOINT_URL_EBS"] = server.EndpointUrl;
        _cli["AWS_DEFAULT_OUTPUT"] = "text";
        var disk = Path.Combine(_cli.Home, "env.img");
        await new DiskImageGenerator(3 << 20, seed: 5).WriteFileAsync(disk, holes: true);

        var result = (await _cli.RunAsync("import-disk", disk, "--quiet")).EnsureSuccess();

        Assert.StartsWith("snap-", result.Stdout, StringComparison.Ordinal);
        Assert.Contains('\t', result.Stdout);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task An_unreachable_endpoint_fails_with_exit_255_and_no_stack_trace_in_whole_sentences()
    {
        _cli.Profile("dead", "AKIAEXAMPLE", "secret", "us-east-1", "http://127.0.0.1:1");

        var result = await _cli.RunAsync("inspect", "s3://images/ami-1.bin", "--profile", "dead");

        Assert.Equal(255, result.ExitCode);
        Assert.Contains("Could not reach the endpoint", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        // The system's message ("Connection refused (127.0.0.1:1)") has no full stop of its own.
        Assert.Matches(@"[.!?] Is the server running", result.Stderr);
    }

    [Fact]
    public async Task The_built_binary_documents_its_commands_and_exit_codes()
    {
        var binary = Path.Combine(AppContext.BaseDirectory, "amivault.dll");
        using var process = Process.Start(new ProcessStartInfo("dotnet", [binary, "--help"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var help = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(0, process.ExitCode);
        foreach (var command in new[] { "serve", "import-disk", "export-snapshot", "copy", "inspect", "verify", "demo" })
        {
            Assert.Contains(command, help, StringComparison.Ordinal);
        }

        Assert.Contains("252 invalid command line", help, StringComparison.Ordinal);
        Assert.Contains("--output", help, StringComparison.Ordinal);
    }

    public void Dispose() => _cli.Dispose();
}
