namespace AmiVault.Benchmarks.Suite;

/// <summary>
/// A row of the goals table: a figure an issue names, our contender's median against a peer's, and the goal.
/// The ratio is always ours / peer in the metric's unit (so for seconds, below 1 is better).
/// </summary>
internal sealed record Figure(string Name, Metric Metric, string Ours, string? Peer, Goal? Goal);
