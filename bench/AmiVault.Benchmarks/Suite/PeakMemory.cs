using System.Globalization;

namespace AmiVault.Benchmarks.Suite;

/// <summary>
/// Peak resident memory (VmHWM) of a process, from /proc. Writing 5 to /proc/PID/clear_refs resets the peak, so each
/// repetition measures its own.
/// </summary>
internal static class PeakMemory
{
    public static long? Of(int processId) => Read($"/proc/{processId}/status");

    public static long? OfThisProcess() => Read("/proc/self/status");

    public static void Reset(int processId) => ResetAt($"/proc/{processId}/clear_refs");

    public static void ResetThisProcess() => ResetAt("/proc/self/clear_refs");

    private static void ResetAt(string path)
    {
        try
        {
            File.WriteAllText(path, "5");
        }
        catch (IOException)
        {
            // An older kernel or a container without it: the peak then covers the process's life, which still bounds it.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }

    private static long? Read(string statusPath)
    {
        try
        {
            var line = File.ReadLines(statusPath).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            var kib = line?["VmHWM:".Length..].Trim().Split(' ')[0];
            return kib is null ? null : long.Parse(kib, CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
