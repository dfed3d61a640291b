using AmiVault.Benchmarks.Suite;

namespace AmiVault.Benchmarks.Scenarios;

/// <summary>
/// A large volume with little written must store in about the time of its data, not of its size: a 1 TiB volume
/// holding 1 GiB (a sparse file) against a 1 GiB volume holding the same bytes.
/// </summary>
internal sealed class SparseStoreScenario(SuiteContext context) : Scenario(context)
{
    private const string NotYet = "needs import of a volume into a snapshot and CreateStoreImageTask";

    public override string Id => "sparse-store";

    public override string Title => "Store a large, mostly empty volume";

    public override string Issue => "archive/store/restore";

    /// <summary>1 GiB written (less for a smaller --size), in a volume 1024 times larger (1 TiB).</summary>
    private long Written => Math.Max(1, Math.Min(1L << 30, Context.ImageSize) >> 20) << 20;

    private long Volume => Written * 1024;

    public override IReadOnlyList<Contender> Contenders =>
    [
        new("store-sparse", $"amivault store, {ByteSize.Format(Volume)} volume with {ByteSize.Format(Written)} written", Role.Ours, NotYet),
        new("store-dense", $"amivault store, {ByteSize.Format(Written)} volume with the same data", Role.Ours, NotYet),
    ];

    public override IReadOnlyList<Figure> Figures =>
    [
        new($"Store {ByteSize.Format(Volume)} volume with {ByteSize.Format(Written)} written vs {ByteSize.Format(Written)} volume", Metric.Seconds, "store-sparse", "store-dense", Goal.RatioBelow(3)),
    ];

    public override async Task SetUpAsync(CancellationToken cancellationToken)
    {
        await Context.SparseImageAsync(Volume, Written, cancellationToken);
        await Context.ImageAsync(Written, cancellationToken);
    }
}
