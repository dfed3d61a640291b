using AmiVault.Benchmarks.Suite;

namespace AmiVault.Benchmarks.Scenarios;

/// <summary>Every scenario of the suite, in the order they run. A new scenario is one class and one line here.</summary>
internal static class ScenarioRegistry
{
    public static IReadOnlyList<Scenario> Create(SuiteContext context) =>
    [
        new BlockApiScenario(context),
        new S3ObjectScenario(context),
        new StoreRestoreScenario(context),
        new SparseStoreScenario(context),
        new ImportDiskScenario(context),
        new CopyScenario(context),
        new SyncScenario(context),
        new ZstdCodecScenario(context),
        new ServerFootprintScenario(context),
        new ConsoleImagesScenario(context),
    ];
}
