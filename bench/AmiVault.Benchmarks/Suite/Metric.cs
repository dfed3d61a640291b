namespace AmiVault.Benchmarks.Suite;

internal enum Metric
{
    /// <summary>Input bytes per second, in MB/s (10^6 bytes).</summary>
    Throughput,

    /// <summary>Wall time in seconds.</summary>
    Seconds,

    /// <summary>Size of what was produced (compressed object, repository), in MiB.</summary>
    OutputSize,

    /// <summary>Peak resident memory of the process doing the work, in MiB.</summary>
    PeakMemory,
}
