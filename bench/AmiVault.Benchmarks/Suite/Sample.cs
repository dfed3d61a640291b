namespace AmiVault.Benchmarks.Suite;

/// <summary>One timed run of a contender: how long, how many bytes of input, what it produced, its peak memory.</summary>
internal sealed record Sample(double Seconds, long Bytes, long? OutputBytes = null, long? PeakMemoryBytes = null);
