using System.Text.Json;

namespace AmiVault.Tests.Support;

/// <summary>What one in-process run of `amivault` printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public JsonElement Json => JsonDocument.Parse(Stdout).RootElement;

    /// <summary>Fails the test with the command's own words unless it succeeded.</summary>
    public CliResult EnsureSuccess() =>
        ExitCode == 0 ? this : throw new Xunit.Sdk.XunitException($"amivault exited {ExitCode}:\n{Stderr}\n{Stdout}");

    public string String(string property) => Json.GetProperty(property).GetString()!;

    public long Number(string property) => Json.GetProperty(property).GetInt64();

    public override string ToString() => $"exit {ExitCode}\nstderr:\n{Stderr}\nstdout:\n{Stdout}";
}
