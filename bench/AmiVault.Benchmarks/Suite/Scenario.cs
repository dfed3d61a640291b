namespace AmiVault.Benchmarks.Suite;

/// <summary>
/// A benchmark: contenders doing the same job (ours and peers) and the figures that compare them. The suite runs
/// the contenders in turn, repetition after repetition (A B A B …), after one <see cref="SetUpAsync"/>.
/// Register a new scenario in <see cref="Scenarios.ScenarioRegistry"/>.
/// </summary>
internal abstract class Scenario(SuiteContext context) : IAsyncDisposable
{
    protected SuiteContext Context => context;

    /// <summary>Short and stable: results of different runs are matched by it.</summary>
    public abstract string Id { get; }

    public abstract string Title { get; }

    /// <summary>Which issue's figures this measures.</summary>
    public abstract string Issue { get; }

    public abstract IReadOnlyList<Contender> Contenders { get; }

    public abstract IReadOnlyList<Figure> Figures { get; }

    /// <summary>Makes inputs and starts servers; skipped when no contender can run.</summary>
    public virtual Task SetUpAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
