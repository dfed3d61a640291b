using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using AmiVault.Configuration;

namespace AmiVault.Tasks;

/// <summary>
/// Store and restore tasks queue here behind a bounded pool of workers (Tasks:Workers). Tasks live in the catalog,
/// so the queue itself is only a list of ids: at start-up every unfinished task is recovered and queued again.
/// </summary>
internal sealed class TaskQueue(IEnumerable<ITaskJob> jobs, ServerContext server, ILogger<TaskQueue> logger) : BackgroundService
{
    private readonly Channel<(TaskKind Kind, string TaskId)> _queue = Channel.CreateUnbounded<(TaskKind, string)>();
    private readonly Dictionary<TaskKind, ITaskJob> _jobs = jobs.ToDictionary(j => j.Kind);

    public void Enqueue(TaskKind kind, string taskId)
    {
        if (!_queue.Writer.TryWrite((kind, taskId)))
        {
            throw new InvalidOperationException("The task queue is closed: the server is shutting down.");
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var job in _jobs.Values)
        {
            IReadOnlyList<string> unfinished;
            try
            {
                unfinished = await job.RecoverAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A server that cannot look at its old tasks still serves new ones; they stay InProgress until it can.
                logger.LogError(e, "Could not recover unfinished {Kind} tasks.", job.Kind);
                continue;
            }

            foreach (var taskId in unfinished)
            {
                logger.LogWarning("Resuming {Kind} task {TaskId} left unfinished by the previous run.", job.Kind, taskId);
                Enqueue(job.Kind, taskId);
            }
        }

        var workers = Enumerable.Range(0, server.Options.Tasks.Workers).Select(_ => WorkAsync(stoppingToken));
        await Task.WhenAll(workers);
    }

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var (kind, taskId) in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await _jobs[kind].RunAsync(taskId, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    // Shutdown: the task stays InProgress in the catalog and is recovered at the next start.
                    return;
                }
                catch (Exception e)
                {
                    // Jobs record their own failures; this is a last line so one bad task never stops a worker.
                    logger.LogError(e, "{Kind} task {TaskId} failed outside its job's handling.", kind, taskId);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
