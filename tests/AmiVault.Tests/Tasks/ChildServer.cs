using System.Diagnostics;
using AmiVault.Tests.Support;
using Amazon.EC2;
using Amazon.Runtime;

namespace AmiVault.Tests.Tasks;

/// <summary>
/// `amivault serve` as users run it, in a process of its own (the build's amivault next to the tests), serving
/// <see cref="TestServer.Alice"/> on a data folder the test owns, so the test can kill it outright (SIGKILL) and start it
/// again on the same data.
/// </summary>
internal sealed class ChildServer : IAsyncDisposable
{
    private const string ListeningOn = "AmiVault listening on ";
    private readonly Process _process;
    private readonly List<string> _output;

    private ChildServer(Process process, Uri endpoint, string region, List<string> output)
    {
        _process = process;
        Endpoint = endpoint;
        Region = region;
        _output = output;
    }

    public Uri Endpoint { get; }

    public string Region { get; }

    /// <summary><paramref name="environment"/> adds settings (AMIVAULT_BLOCKS__PACKSIZEMIB=…) as an operator would.</summary>
    public static async Task<ChildServer> StartAsync(string dataDir, string region = "us-east-1", IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = Serve(dataDir, region, port: 0);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("amivault did not start.");
        var output = new List<string>();
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            Record(output, e.Data);
            if (e.Data?.StartsWith(ListeningOn, StringComparison.Ordinal) == true)
            {
                listening.TrySetResult(new Uri(e.Data[ListeningOn.Length..].Split(' ')[0]));
            }
        };
        process.ErrorDataReceived += (_, e) => Record(output, e.Data);
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("amivault serve exited."));
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            return new ChildServer(process, await listening.Task.WaitAsync(TimeSpan.FromSeconds(60)), region, output);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            process.Kill();
            await process.WaitForExitAsync();
            throw new InvalidOperationException($"amivault serve did not say where it listens:\n{string.Join('\n', output)}", e);
        }
    }

    /// <summary>Runs `amivault serve` on <paramref name="port"/> expecting it to refuse to start: its exit code and what it printed.</summary>
    public static async Task<(int ExitCode, string Output)> RefusedAsync(string dataDir, int port)
    {
        using var process = Process.Start(Serve(dataDir, "us-east-1", port)) ?? throw new InvalidOperationException("amivault did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            process.Kill();
            throw new InvalidOperationException($"amivault serve started on {dataDir}, port {port}, instead of refusing:\n{await stdout}");
        }

        return (process.ExitCode, (await stdout) + (await stderr));
    }

    public int ProcessId => _process.Id;

    public AmazonEC2Client Ec2() => new(
        new BasicAWSCredentials(TestServer.Alice.AccessKeyId, TestServer.Alice.SecretAccessKey),
        new AmazonEC2Config { ServiceURL = Endpoint.ToString().TrimEnd('/'), AuthenticationRegion = Region, MaxErrorRetry = 0 });

    /// <summary>The most resident memory the server process has had so far (VmHWM), in bytes.</summary>
    public long PeakResidentBytes
    {
        get
        {
            var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
    }

    /// <summary>SIGKILL: no shutdown code runs, as in a power cut of the process.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>What the server printed (its warnings and errors), for a failing assertion's message.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }

    private static ProcessStartInfo Serve(string dataDir, string region, int port)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "amivault"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["serve", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--data-dir", dataDir, "--region", region])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["AMIVAULT_ACCOUNT_ID"] = TestServer.Alice.Id;
        start.Environment["AMIVAULT_ACCESS_KEY_ID"] = TestServer.Alice.AccessKeyId;
        start.Environment["AMIVAULT_SECRET_ACCESS_KEY"] = TestServer.Alice.SecretAccessKey;
        return start;
    }

    private static void Record(List<string> output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.Add(line);
            }
        }
    }
}
