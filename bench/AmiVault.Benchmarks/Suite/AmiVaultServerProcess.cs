using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using AmiVault.Client;
using Amazon.EC2;
using Amazon.Runtime;
using Amazon.S3;

namespace AmiVault.Benchmarks.Suite;

/// <summary>
/// `amivault serve` in its own process, as users run it, so that its peak memory is the server's alone
/// (<see cref="PeakMemory"/> reads it from /proc). Serves one account, <see cref="AccessKeyId"/>.
/// </summary>
internal sealed class AmiVaultServerProcess : IAsyncDisposable
{
    public const string AccountId = "123456789012";
    public const string AccessKeyId = "AKIABENCHBENCHBENCH1";
    public const string SecretAccessKey = "bench-secret-bench-secret-bench-secret-00";
    public const string Region = "us-east-1";

    private readonly Process _process;
    private bool _disposed;

    private AmiVaultServerProcess(Process process, Uri endpoint)
    {
        _process = process;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    public int ProcessId => _process.Id;

    public long? PeakMemoryBytes => PeakMemory.Of(_process.Id);

    /// <summary>
    /// Starts the server built next to the suite and waits until it answers HTTP; <paramref name="settings"/> are
    /// AMIVAULT_* environment variables (e.g. AMIVAULT_TASKS__MAXIMAGESIZEGB).
    /// </summary>
    public static async Task<AmiVaultServerProcess> StartAsync(string dataDir, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? settings = null)
    {
        var port = FreePort();
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "amivault"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])["serve", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--data-dir", dataDir])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["AMIVAULT_ACCOUNT_ID"] = AccountId;
        start.Environment["AMIVAULT_ACCESS_KEY_ID"] = AccessKeyId;
        start.Environment["AMIVAULT_SECRET_ACCESS_KEY"] = SecretAccessKey;
        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start amivault.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                System.Console.Error.WriteLine($"    amivault: {e.Data}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new AmiVaultServerProcess(process, new Uri($"http://127.0.0.1:{port}/"));
        try
        {
            await server.WaitUntilAnsweringAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>What /usr/bin/aws needs to talk to this server as its account, and nothing from ~/.aws.</summary>
    public static Dictionary<string, string?> AwsCliEnvironment => new()
    {
        ["AWS_ACCESS_KEY_ID"] = AccessKeyId,
        ["AWS_SECRET_ACCESS_KEY"] = SecretAccessKey,
        ["AWS_DEFAULT_REGION"] = Region,
        ["AWS_EC2_METADATA_DISABLED"] = "true",
        ["AWS_CONFIG_FILE"] = "/dev/null",
        ["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null",
    };

    public void ResetPeakMemory() => PeakMemory.Reset(_process.Id);

    private string EndpointUrl => Endpoint.ToString().TrimEnd('/');

    private static BasicAWSCredentials Credentials => new(AccessKeyId, SecretAccessKey);

    /// <summary>The project's own EBS direct API client (what `amivault import-disk` uses).</summary>
    public EbsClient Ebs() => new(new EbsClientOptions { Endpoint = Endpoint, AccessKeyId = AccessKeyId, SecretAccessKey = SecretAccessKey, Region = Region });

    public AmazonEC2Client Ec2() => new(Credentials, new AmazonEC2Config { ServiceURL = EndpointUrl, AuthenticationRegion = Region });

    /// <summary>AWSSDK.S3 with its defaults (aws-chunked uploads with a checksum trailer), path-style.</summary>
    public AmazonS3Client S3() => new(Credentials, new AmazonS3Config { ServiceURL = EndpointUrl, AuthenticationRegion = Region, ForcePathStyle = true, Timeout = TimeSpan.FromMinutes(10) });

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private async Task WaitUntilAnsweringAsync(CancellationToken cancellationToken)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"amivault serve exited with {_process.ExitCode} before answering.");
            }

            try
            {
                using var response = await client.GetAsync(Endpoint, cancellationToken);
                return;
            }
            catch (HttpRequestException) when (deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(20, cancellationToken);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
