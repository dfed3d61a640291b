namespace AmiVault.Benchmarks.Suite;

internal sealed record SuiteSettings(long ImageSize, int Repetitions, bool Smoke, ulong Seed, string Mix, string WorkDir, string? Only);
