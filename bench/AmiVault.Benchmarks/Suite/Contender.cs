namespace AmiVault.Benchmarks.Suite;

/// <summary>
/// One of the things a scenario times, ours or a peer. A contender whose feature is not built yet says so
/// (<see cref="Unavailable"/>) and shows as such in the report, never as a number.
/// </summary>
internal sealed class Contender
{
    private readonly Func<CancellationToken, Task<Sample>>? _run;

    public Contender(string id, string label, Role role, Func<CancellationToken, Task<Sample>> run)
    {
        Id = id;
        Label = label;
        Role = role;
        _run = run;
    }

    /// <summary>A contender whose feature is not built yet: it is listed, with the reason, and never run.</summary>
    public Contender(string id, string label, Role role, string notYetAvailableBecause)
    {
        Id = id;
        Label = label;
        Role = role;
        Unavailable = notYetAvailableBecause;
    }

    public string Id { get; }

    public string Label { get; }

    public Role Role { get; }

    /// <summary>Why it cannot run yet; null when it can.</summary>
    public string? Unavailable { get; }

    /// <summary>The chart line this contender belongs to, with <see cref="ImageSize"/> as its x.</summary>
    public string? Series { get; init; }

    public long? ImageSize { get; init; }

    /// <summary>True when it runs inside the suite's process, so the process's peak memory is its peak memory.</summary>
    public bool InProcess { get; init; }

    public Task<Sample> RunAsync(CancellationToken cancellationToken) =>
        _run is null ? throw new InvalidOperationException($"{Id} is not available: {Unavailable}") : _run(cancellationToken);
}
