using System.Globalization;
using System.Runtime.InteropServices;

namespace AmiVault.Benchmarks.Suite;

/// <summary>What the figures were measured on; the load average says how busy the (shared) machine was.</summary>
internal sealed record MachineInfo(
    int Cores,
    string Cpu,
    long MemoryBytes,
    string Os,
    string Dotnet,
    string WorkDirFileSystem,
    string LoadAverageAtStart,
    IReadOnlyDictionary<string, string> Tools)
{
    public static MachineInfo Read(string workDir) => new(
        Environment.ProcessorCount,
        ProcLine("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString(),
        long.Parse(ProcLine("/proc/meminfo", "MemTotal")?.Split(' ')[0] ?? "0", CultureInfo.InvariantCulture) * 1024,
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        ExternalCommand.FirstLine("findmnt", "--noheadings", "--output", "FSTYPE", "--target", workDir) ?? "unknown",
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown",
        new Dictionary<string, string>
        {
            ["zstd"] = ExternalCommand.FirstLine("zstd", "--version") ?? "missing",
            ["restic"] = ExternalCommand.FirstLine("restic", "version") ?? "missing",
            ["rclone"] = ExternalCommand.FirstLine("rclone", "version") ?? "missing",
            ["aws"] = ExternalCommand.FirstLine("/usr/bin/aws", "--version") ?? "missing",
        });

    private static string? ProcLine(string path, string key) =>
        File.Exists(path)
            ? File.ReadLines(path).Where(l => l.StartsWith(key, StringComparison.Ordinal)).Select(l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()).FirstOrDefault()
            : null;
}
