namespace AmiVault.Benchmarks.Suite;

internal sealed record ScenarioResult(
    string Id,
    string Title,
    string Issue,
    IReadOnlyList<ContenderResult> Contenders,
    IReadOnlyList<FigureResult> Figures,
    double Seconds);
