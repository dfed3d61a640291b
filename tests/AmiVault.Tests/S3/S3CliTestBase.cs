using System.Text.Json;
using AmiVault.Tests.Support;

namespace AmiVault.Tests.S3;

/// <summary>
/// A server, the real AWS CLI v2 (/usr/bin/aws) signed in as Alice, a bucket and a scratch folder: what each CLI test
/// class starts from. The CLI tests are split over classes so that they run side by side.
/// </summary>
public abstract class S3CliTestBase : IAsyncLifetime
{
    private protected TestServer Server { get; private set; } = null!;

    protected string Work { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await TestServer.StartAsync();
        Work = Path.Combine(Server.DataDir, "cli-work");
        Directory.CreateDirectory(Work);
        await OkAsync("s3", "mb", "s3://cli-bucket");
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();

    protected static JsonElement Json(string output) => JsonDocument.Parse(output).RootElement;

    /// <summary>The AWS CLI as Alice.</summary>
    private protected Task<AwsCliResult> RunAsync(params string[] args) => AwsCli.RunAsync(Server, args);

    /// <summary>The AWS CLI as Alice, for a command that must succeed: what it printed.</summary>
    private protected async Task<string> OkAsync(params string[] args) => (await RunAsync(args)).EnsureSuccess().Stdout;
}
