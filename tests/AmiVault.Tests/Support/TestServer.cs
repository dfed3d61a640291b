using AmiVault.Accounts;
using AmiVault.Configuration;
using AmiVault.Hosting;
using Amazon.EC2;
using Amazon.Runtime;

namespace AmiVault.Tests.Support;

/// <summary>A real AmiVault server on a loopback port with a fresh data folder and two known accounts.</summary>
public sealed class TestServer : IAsyncDisposable
{
    internal static readonly Account Alice = new("111111111111", "AKIAALICEALICEALICE1", "alice-secret-alice-secret-alice-secret-00");
    internal static readonly Account Bob = new("222222222222", "AKIABOBBOBBOBBOBBOB2", "bob-secret-bob-secret-bob-secret-bob-0000");

    private readonly AmiVaultServer _server;
    private readonly bool _ownsDataDir;

    private TestServer(AmiVaultServer server, string dataDir, string region, bool ownsDataDir)
    {
        _server = server;
        DataDir = dataDir;
        Region = region;
        _ownsDataDir = ownsDataDir;
    }

    public string DataDir { get; }

    public string Region { get; }

    public Uri Endpoint => _server.Endpoint;

    public string EndpointUrl => _server.Endpoint.ToString().TrimEnd('/');

    internal AmiVaultServer Server => _server;

    public static Task<TestServer> StartAsync(string region = "us-east-1") => StartAsync(region, null);

    /// <summary>
    /// A server configured further by <paramref name="configure"/>; a data folder it chooses is the caller's to delete.
    /// <paramref name="services"/> may replace parts of the server (see <see cref="AmiVaultServer.StartAsync"/>).
    /// </summary>
    internal static async Task<TestServer> StartAsync(string region, Action<AmiVaultOptions>? configure, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "amivault-test-" + Guid.NewGuid().ToString("N"));
        var options = new AmiVaultOptions
        {
            Region = region,
            Port = 0,
            DataDir = dataDir,
            Accounts =
            [
                new AccountOptions { Id = Alice.Id, AccessKeyId = Alice.AccessKeyId, SecretAccessKey = Alice.SecretAccessKey },
                new AccountOptions { Id = Bob.Id, AccessKeyId = Bob.AccessKeyId, SecretAccessKey = Bob.SecretAccessKey },
            ],
        };
        configure?.Invoke(options);
        var server = await AmiVaultServer.StartAsync(options, services: services);
        return new TestServer(server, options.DataDir, region, ownsDataDir: options.DataDir == dataDir);
    }

    internal AmazonEC2Client Ec2(Account? account = null, string? secretOverride = null, string? region = null)
    {
        account ??= Alice;
        var config = new AmazonEC2Config
        {
            ServiceURL = EndpointUrl,
            AuthenticationRegion = region ?? Region,
            MaxErrorRetry = 0,
        };
        return new AmazonEC2Client(new BasicAWSCredentials(account.AccessKeyId, secretOverride ?? account.SecretAccessKey), config);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        if (!_ownsDataDir)
        {
            return;
        }

        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a late background task; the temp folder is cleaned by the OS.
        }
    }
}
