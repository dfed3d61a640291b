using System.Diagnostics;
using System.Globalization;

namespace AmiVault.Benchmarks.Suite;

/// <summary>
/// Runs a peer tool the way a person would in a shell, timed, with its peak memory from GNU time (the maximum
/// resident size of the process, which /proc can no longer tell once it has exited).
/// </summary>
internal static class ExternalCommand
{
    private const string Time = "/usr/bin/time";

    public sealed record Result(double Seconds, long? PeakMemoryBytes);

    /// <summary>
    /// Runs <paramref name="program"/>; stdin and stdout come from and go to files (or /dev/null); the environment is
    /// this process's with <paramref name="environment"/> set (a null value removes the variable).
    /// </summary>
    public static async Task<Result> RunAsync(
        string program,
        IEnumerable<string> arguments,
        CancellationToken cancellationToken,
        string? stdinFile = null,
        string? stdoutFile = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var memoryFile = Path.GetTempFileName();
        try
        {
            var start = new ProcessStartInfo(Time)
            {
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            // exec keeps one process, so GNU time reports the tool's own peak, not the shell's.
            foreach (var argument in (string[])["-f", "%M", "-o", memoryFile, "sh", "-c", "exec \"$0\" \"$@\" <\"$BENCH_STDIN\" >\"$BENCH_STDOUT\"", program, .. arguments])
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["BENCH_STDIN"] = stdinFile ?? "/dev/null";
            start.Environment["BENCH_STDOUT"] = stdoutFile ?? "/dev/null";
            foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
            {
                // null takes a variable away, e.g. a CA bundle that would make a tool try TLS settings on plain http.
                if (value is null)
                {
                    start.Environment.Remove(name);
                }
                else
                {
                    start.Environment[name] = value;
                }
            }

            var stopwatch = Stopwatch.StartNew();
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            try
            {
                await process.WaitForExitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            var seconds = stopwatch.Elapsed.TotalSeconds;
            var errors = await stderr;
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {Tail(errors)}");
            }

            var kib = (await File.ReadAllLinesAsync(memoryFile, cancellationToken)).LastOrDefault(l => l.Length > 0 && char.IsAsciiDigit(l[0]));
            return new Result(seconds, kib is null ? null : long.Parse(kib, CultureInfo.InvariantCulture) * 1024);
        }
        finally
        {
            File.Delete(memoryFile);
        }
    }

    /// <summary>The first line a tool prints, e.g. its version; null when it is not installed.</summary>
    public static string? FirstLine(string program, params string[] arguments)
    {
        try
        {
            var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(start);
            if (process is null)
            {
                return null;
            }

            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static string Tail(string text) => text.Length <= 2000 ? text.Trim() : text[^2000..].Trim();
}
