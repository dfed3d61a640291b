using System.Diagnostics;
using AmiVault.Benchmarks.Suite;

namespace AmiVault.Benchmarks.Scenarios;

/// <summary>
/// `amivault serve` from start to its first answer, and its memory when idle: the floor under every server figure
/// (the store/restore budget is 300 MiB of server peak memory).
/// </summary>
internal sealed class ServerFootprintScenario(SuiteContext context) : Scenario(context)
{
    public override string Id => "server";

    public override string Title => "Server start-up and idle memory";

    public override string Issue => "server (all issues)";

    public override IReadOnlyList<Contender> Contenders =>
    [
        new Contender("serve", "amivault serve: start until it answers, then idle", Role.Ours, StartAsync),
    ];

    public override IReadOnlyList<Figure> Figures =>
    [
        new("Server start until first answer", Metric.Seconds, "serve", null, null),
        new("Server idle peak memory", Metric.PeakMemory, "serve", null, Goal.AtMost(300, "MiB")),
    ];

    private async Task<Sample> StartAsync(CancellationToken cancellationToken)
    {
        var dataDir = Context.Scratch("server-footprint");
        var stopwatch = Stopwatch.StartNew();
        await using var server = await AmiVaultServerProcess.StartAsync(dataDir, cancellationToken);
        var seconds = stopwatch.Elapsed.TotalSeconds;
        await Task.Delay(TimeSpan.FromSeconds(Context.Smoke ? 0.1 : 1), cancellationToken);
        var peak = server.PeakMemoryBytes;
        await server.DisposeAsync();
        Directory.Delete(dataDir, recursive: true);
        return new Sample(seconds, 0, PeakMemoryBytes: peak);
    }
}
