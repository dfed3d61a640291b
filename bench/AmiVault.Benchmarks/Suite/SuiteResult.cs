namespace AmiVault.Benchmarks.Suite;

/// <summary>Everything one suite run measured, as written to bench-results/DATE.json and read back by `compare`.</summary>
internal sealed record SuiteResult(
    DateTimeOffset Date,
    string Command,
    string? Commit,
    MachineInfo Machine,
    SuiteSettings Settings,
    IReadOnlyList<InputRecord> Inputs,
    IReadOnlyList<ScenarioResult> Scenarios,
    IReadOnlyList<string> Failures,
    double Seconds);
