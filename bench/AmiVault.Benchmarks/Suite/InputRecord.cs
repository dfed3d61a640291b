namespace AmiVault.Benchmarks.Suite;

/// <summary>A generated input: where, what (the generator's own description), and how long it took to make.</summary>
internal sealed record InputRecord(string Path, long Size, long WrittenSize, string Description, double GenerateSeconds);
