using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace AmiVault.Tests.Support;

/// <summary>
/// A real Ceph RGW on 127.0.0.1:7480 for the tests that need one: reused when something already answers there,
/// otherwise started with the repository's scripts/ceph-rgw-single-node.sh (about 12 s) and stopped when the test run
/// ends. A missing Ceph is a failure, never a skip. AMIVAULT_TEST_RGW_PORT and AMIVAULT_TEST_MON_PORT move it, so the
/// start path can be exercised on a machine where a shared RGW already answers on 7480 (monitor on 3300).
/// </summary>
public sealed class CephRgwFixture : IAsyncLifetime
{
    public static int Port { get; } = PortFromEnvironment("AMIVAULT_TEST_RGW_PORT", 7480);

    private static int MonitorPort { get; } = PortFromEnvironment("AMIVAULT_TEST_MON_PORT", 3300);

    private string? _startedDir;

    public string EndpointUrl => $"http://127.0.0.1:{Port}";

    public string AccessKey { get; } = Environment.GetEnvironmentVariable("ACCESS_KEY") ?? "TESTACCESSKEY";

    public string SecretKey { get; } = Environment.GetEnvironmentVariable("SECRET_KEY") ?? "TESTSECRETKEY";

    public async Task InitializeAsync()
    {
        if (await AnswersAsync())
        {
            return;
        }

        var script = FindScript();
        var dir = Path.Combine(Path.GetTempPath(), "amivault-ceph-" + Guid.NewGuid().ToString("N")[..8]);
        var start = new ProcessStartInfo("bash", [script, dir]) { RedirectStandardOutput = true, RedirectStandardError = true };

        // The monitor refuses to start when its disk is 95% full, although with a RAM-backed OSD it stores next to
        // nothing; a crowded developer disk should not fail the object-store tests.
        start.Environment["CEPH_ARGS"] = "--mon-data-avail-crit=1";
        start.Environment["RGW_PORT"] = Port.ToString(CultureInfo.InvariantCulture);
        start.Environment["MON_PORT"] = MonitorPort.ToString(CultureInfo.InvariantCulture);
        start.Environment["ACCESS_KEY"] = AccessKey;
        start.Environment["SECRET_KEY"] = SecretKey;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start bash.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        _startedDir = dir;
        if (process.ExitCode != 0 || !await AnswersAsync())
        {
            await DisposeAsync();
            throw new InvalidOperationException($"Ceph RGW did not start (exit {process.ExitCode}). Is it installed (apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd ceph-common)?\n{await stdout}\n{await stderr}");
        }
    }

    public Task DisposeAsync()
    {
        if (_startedDir is not null)
        {
            foreach (var daemon in new[] { "client.rgw.a", "osd.0", "mon.a" })
            {
                var pidFile = Path.Combine(_startedDir, "run", daemon + ".pid");
                if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid))
                {
                    try
                    {
                        using var process = Process.GetProcessById(pid);
                        process.Kill();
                        process.WaitForExit(10_000);
                    }
                    catch (ArgumentException)
                    {
                        // Already gone.
                    }
                }
            }

            Directory.Delete(_startedDir, recursive: true);
            _startedDir = null;
        }

        return Task.CompletedTask;
    }

    private static async Task<bool> AnswersAsync()
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", Port).WaitAsync(TimeSpan.FromSeconds(2));
            return true;
        }
        catch (Exception e) when (e is SocketException or TimeoutException)
        {
            return false;
        }
    }

    private static int PortFromEnvironment(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? port : fallback;

    /// <summary>The repository's scripts/ceph-rgw-single-node.sh, found above the test assembly's folder.</summary>
    private static string FindScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "scripts", "ceph-rgw-single-node.sh");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"scripts/ceph-rgw-single-node.sh was not found above {AppContext.BaseDirectory}.");
    }
}
