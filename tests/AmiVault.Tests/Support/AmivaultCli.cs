using System.Collections.Concurrent;
using AmiVault.Accounts;
using AmiVault.Cli;
using AmiVault.Cli.Common;

namespace AmiVault.Tests.Support;

/// <summary>
/// Runs `amivault` in-process through the same command tree as the executable, with an environment of its own: a
/// temporary HOME holding ~/.aws/config and ~/.aws/credentials, its own state folder, and the machine's PATH. Many
/// runs can go side by side in one test process.
/// </summary>
internal sealed class AmivaultCli : IDisposable
{
    private readonly ConcurrentDictionary<string, string?> _environment = new(StringComparer.Ordinal);
    private readonly List<string> _config = [];
    private readonly List<string> _credentials = [];

    public AmivaultCli()
    {
        Home = Directory.CreateTempSubdirectory("amivault-cli-home-").FullName;
        Directory.CreateDirectory(Path.Combine(Home, ".aws"));
        _environment["HOME"] = Home;
        _environment["PATH"] = Environment.GetEnvironmentVariable("PATH");
        _environment["XDG_STATE_HOME"] = Path.Combine(Home, "state");
    }

    public string Home { get; }

    public string StateDirectory => Path.Combine(Home, "state", "amivault", "copies");

    public string? this[string variable]
    {
        get => _environment.GetValueOrDefault(variable);
        set => _environment[variable] = value;
    }

    /// <summary>Adds a profile as `aws configure` would write it, with the server as its endpoint_url.</summary>
    public AmivaultCli Profile(string name, Account account, TestServer server) =>
        Profile(name, account.AccessKeyId, account.SecretAccessKey, server.Region, server.EndpointUrl);

    public AmivaultCli Profile(string name, string accessKeyId, string secretAccessKey, string region, string? endpointUrl)
    {
        _credentials.Add($"[{name}]\naws_access_key_id = {accessKeyId}\naws_secret_access_key = {secretAccessKey}\n");
        _config.Add($"[{(name == "default" ? "default" : "profile " + name)}]\nregion = {region}\n{(endpointUrl is null ? "" : $"endpoint_url = {endpointUrl}\n")}");
        File.WriteAllText(Path.Combine(Home, ".aws", "credentials"), string.Join('\n', _credentials));
        File.WriteAllText(Path.Combine(Home, ".aws", "config"), string.Join('\n', _config));
        return this;
    }

    public Task<CliResult> RunAsync(params string[] args) => RunAsync(CancellationToken.None, args);

    public async Task<CliResult> RunAsync(CancellationToken cancellationToken, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new SynchronizedStringWriter();
        var host = new CliHost
        {
            Out = stdout,
            Error = stderr,
            Environment = name => _environment.GetValueOrDefault(name),
            PlainProgressInterval = TimeSpan.FromMilliseconds(200),
        };
        var code = await CliApplication.RunAsync(args, host, cancellationToken);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    public void Dispose() => Directory.Delete(Home, recursive: true);
}
