using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace AmiVault.Tests.Support;

/// <summary>
/// A real PostgreSQL (Debian's package) for the tests: one server per test run, in a temporary folder on a free
/// loopback port, started on first use and stopped when the run ends. PostgreSQL refuses to run as root, so as root
/// initdb and pg_ctl run as the `postgres` user. Each caller gets its own fresh database. Missing PostgreSQL is a
/// failure, never a skip. A watchdog process stops the server when the test process ends, even when killed.
/// </summary>
internal sealed class PostgresServer
{
    private static readonly Lazy<Task<PostgresServer>> Instance = new(StartAsync);
    private static int _databases;

    private readonly string _dir;
    private readonly string _bin;

    private PostgresServer(string dir, string bin, int port)
    {
        _dir = dir;
        _bin = bin;
        Port = port;
    }

    public int Port { get; }

    public static Task<PostgresServer> SharedAsync() => Instance.Value;

    /// <summary>A server of the caller's own, for a test that stops and starts it (the shared one serves other tests meanwhile).</summary>
    public static Task<PostgresServer> StartOwnAsync() => StartAsync();

    /// <summary>Stops the server at once, as a crash does (-m immediate), waits <paramref name="down"/>, and starts it again on the same port and data.</summary>
    public async Task RestartAsync(TimeSpan down)
    {
        await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", Path.Combine(_dir, "data"), "-m", "immediate", "-w", "stop"], asPostgres: true);
        await Task.Delay(down);
        await StartServerAsync(_bin, _dir, Port);
    }

    /// <summary>Stops an own server and deletes its folder (the watchdog would, when the test process ends).</summary>
    public void StopOwn() => Stop();

    /// <summary>Creates an empty database and answers its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"amivault_test_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        await using (var connection = new NpgsqlConnection(ConnectionString("postgres")))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name};", connection);
            await create.ExecuteNonQueryAsync();
        }

        return ConnectionString(name);
    }

    private string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = "postgres", Database = database, Pooling = true, MaxPoolSize = 20 }.ConnectionString;

    private static async Task<PostgresServer> StartAsync()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException("PostgreSQL is not installed (apt-get install -y --no-install-recommends postgresql); scripts/test.sh installs it.");
        }

        var dir = Directory.CreateTempSubdirectory("amivault-pg-").FullName;
        await RunAsync("chown", ["postgres:postgres", dir], asPostgres: false, allowNonRoot: true);
        var data = Path.Combine(dir, "data");
        await RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"], asPostgres: true);
        var port = FreePort();
        var server = new PostgresServer(dir, bin, port);
        await StartServerAsync(bin, dir, port);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
        server.StartWatchdog();
        return server;
    }

    private static Task StartServerAsync(string bin, string dir, int port) =>
        RunAsync(Path.Combine(bin, "pg_ctl"),
            ["-D", Path.Combine(dir, "data"), "-l", Path.Combine(dir, "server.log"), "-w", "-t", "60",
             "-o", $"-p {port} -k {dir} -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c full_page_writes=off", "start"], asPostgres: true);

    /// <summary>
    /// ProcessExit does not run when the test host is killed or torn down at the end of `dotnet test`, which left
    /// servers running: a detached shell waits for this process to end, however it ends, then stops the server and
    /// deletes its folder. Its output goes nowhere, so it never holds the test host's pipes open.
    /// </summary>
    private void StartWatchdog()
    {
        var stop = string.Join(' ', (Environment.UserName == "root" ? "runuser -u postgres -- " : "") + Path.Combine(_bin, "pg_ctl"), "-D", Path.Combine(_dir, "data"), "-m", "immediate", "-w", "stop");
        var script = $"exec </dev/null >/dev/null 2>&1; while kill -0 {Environment.ProcessId}; do sleep 2; done; {stop}; rm -rf '{_dir}'";
        var start = new ProcessStartInfo("setsid", ["bash", "-c", script])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var watchdog = Process.Start(start) ?? throw new InvalidOperationException("Could not start the PostgreSQL watchdog.");
    }

    private void Stop()
    {
        if (!Directory.Exists(_dir))
        {
            return;
        }

        try
        {
            RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", Path.Combine(_dir, "data"), "-m", "immediate", "-w", "stop"], asPostgres: true).GetAwaiter().GetResult();
        }
        catch (InvalidOperationException)
        {
            // Already stopped; the folder goes anyway.
        }

        Directory.Delete(_dir, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string program, string[] arguments, bool asPostgres, bool allowNonRoot = false)
    {
        var root = Environment.UserName == "root";
        if (!root && allowNonRoot)
        {
            return;
        }

        var start = root && asPostgres
            ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", program, .. arguments])
            : new ProcessStartInfo(program, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed (exit {process.ExitCode}):\n{await stdout}\n{await stderr}");
        }
    }
}
