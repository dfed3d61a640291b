using AmiVault.Catalog;
namespace AmiVault.Tasks;

/// <summary>Runs one kind of task to its end: it records Completed or Failed itself; cancellation means shutdown.</summary>
internal interface ITaskJob
{
    TaskKind Kind { get; }

    /// <summary>Puts unfinished tasks found at start-up back in a state where they can run again; returns their ids.</summary>
    Task<IReadOnlyList<string>> RecoverAsync(CancellationToken cancellationToken);

    Task RunAsync(string taskId, CancellationToken cancellationToken);
}
