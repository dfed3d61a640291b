using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using AmiVault.Catalog;
using AmiVault.Configuration;
using AmiVault.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AmiVault.Tasks;

/// <summary>
/// Store and restore tasks queue here behind a bounded pool of workers (Tasks:Workers). Tasks live in the catalog,
/// so the queue itself is only a list of ids: at start-up every unfinished task is recovered and queued again.
/// A worker runs a task only while this node holds its lease (<see cref="ITaskLeases"/>, Tasks:LeaseSeconds) and
/// renews it while the job works; losing it stops the job, since another node may have taken the task over. The job
/// runs under the claim's fencing token (<see cref="TaskFence"/>), so a node that stalled past its lease cannot
/// commit anything once another node has claimed the task. In a cluster a poller also queues tasks whose lease
/// expired (their node died), or that nobody claimed within a lease of their admission, and the job simply runs
/// again: a store aborts the upload it finds recorded and starts over, a restore is idempotent.
/// </summary>
internal sealed class TaskQueue(IEnumerable<ITaskJob> jobs, ITaskLeases leases, ServerContext server, ServerMetrics metrics, ILogger<TaskQueue> logger) : BackgroundService
{
    private readonly Channel<(TaskKind Kind, string TaskId)> _queue = Channel.CreateUnbounded<(TaskKind, string)>();
    private readonly Dictionary<TaskKind, ITaskJob> _jobs = jobs.ToDictionary(j => j.Kind);

    /// <summary>Tasks queued or running on this node, so the poller does not queue them twice.</summary>
    private readonly ConcurrentDictionary<(TaskKind, string), byte> _here = new();

    /// <summary>This process among the nodes: unique per start, readable in the database and the logs.</summary>
    public string NodeId { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    private TimeSpan Lease => TimeSpan.FromSeconds(server.Options.Tasks.LeaseSeconds);

    public void Enqueue(TaskKind kind, string taskId)
    {
        // A node without workers leaves its tasks to the others, which take them once their grace (a lease) is over.
        if (server.Options.Tasks.Workers == 0 || !_here.TryAdd((kind, taskId), 0))
        {
            return;
        }

        if (!_queue.Writer.TryWrite((kind, taskId)))
        {
            _here.TryRemove((kind, taskId), out _);
            throw new InvalidOperationException("The task queue is closed: the server is shutting down.");
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (server.Options.Catalog.Backend == CatalogOptions.Postgres && server.Options.Blocks.Backend == BlockOptions.Local)
        {
            // Said at every start: the one thing a cluster operator must know about local blocks (docs/cluster.md).
            logger.LogWarning("Snapshot blocks are local to this node (Blocks:Backend local): a task or EBS snapshot whose blocks another node holds cannot be served here.");
        }

        if (server.Options.Tasks.Workers == 0)
        {
            logger.LogInformation("Tasks:Workers is 0: this node runs no tasks; the other nodes of the cluster run them.");
            return;
        }

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
                // In a cluster most of these run on live nodes: the lease decides, and those are skipped.
                logger.LogInformation("Queueing unfinished {Kind} task {TaskId} found at start-up.", job.Kind, taskId);
                Enqueue(job.Kind, taskId);
            }
        }

        var workers = Enumerable.Range(0, server.Options.Tasks.Workers).Select(_ => WorkAsync(stoppingToken));
        await Task.WhenAll([.. workers, PollAsync(stoppingToken)]);
    }

    /// <summary>Queues tasks no node holds a live lease on: those of a node that died, or admitted by one that never got to them.</summary>
    private async Task PollAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Lease / 2);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                foreach (var kind in _jobs.Keys)
                {
                    try
                    {
                        foreach (var taskId in await leases.ListUnleasedAsync(kind, server.Options.Tasks.Workers * 2, Lease, stoppingToken))
                        {
                            if (!_here.ContainsKey((kind, taskId)))
                            {
                                logger.LogWarning("Taking over {Kind} task {TaskId}: no node holds its lease.", kind, taskId);
                                metrics.TaskTakenOver(Label(kind));
                                Enqueue(kind, taskId);
                            }
                        }
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        logger.LogWarning(e, "Could not look for {Kind} tasks to take over; trying again in {Seconds} s.", kind, (Lease / 2).TotalSeconds);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var (kind, taskId) in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    if (await leases.TryClaimAsync(kind, taskId, NodeId, Lease, stoppingToken) is { } generation)
                    {
                        await RunLeasedAsync(new TaskFence(kind, taskId, generation), stoppingToken);
                    }
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    // Shutdown: the task stays InProgress in the catalog, for this node's next start or another node.
                    await ReleaseQuietlyAsync(kind, taskId);
                    return;
                }
                catch (TaskLeaseLostException e)
                {
                    // Fenced: another node claimed the task while this one stalled; its write was refused, nothing committed.
                    logger.LogWarning("Stopped {Kind} task {TaskId}: {Reason}", kind, taskId, e.Message);
                    metrics.LeaseLost(Label(kind));
                }
                catch (Exception e)
                {
                    // Jobs record their own failures; this is a last line so one bad task never stops a worker.
                    logger.LogError(e, "{Kind} task {TaskId} failed outside its job's handling.", kind, taskId);
                }
                finally
                {
                    _here.TryRemove((kind, taskId), out _);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task RunLeasedAsync(TaskFence fence, CancellationToken stoppingToken)
    {
        var (kind, taskId, _) = fence;
        using var leaseLost = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        using var jobDone = new CancellationTokenSource();
        var renewal = RenewAsync(fence, leaseLost, jobDone.Token);
        try
        {
            using (TaskFence.Enter(fence))
            {
                await _jobs[kind].RunAsync(taskId, leaseLost.Token);
            }
        }
        catch (OperationCanceledException) when (leaseLost.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
        {
            // Another node has the task now; whatever it does wins, and this node writes nothing more.
            logger.LogWarning("Stopped {Kind} task {TaskId}: this node lost its lease.", kind, taskId);
            metrics.LeaseLost(Label(kind));
        }
        finally
        {
            await jobDone.CancelAsync();
            await renewal;
        }
    }

    /// <summary>
    /// Renews the lease every third of its length. A renewal refused means the lease is gone; renewals failing (the
    /// database unreachable) for a whole lease mean it may be gone: either way the job is stopped.
    /// </summary>
    private async Task RenewAsync(TaskFence fence, CancellationTokenSource leaseLost, CancellationToken jobDone)
    {
        var (kind, taskId, generation) = fence;
        var sinceRenewed = Stopwatch.StartNew();
        try
        {
            while (true)
            {
                await Task.Delay(Lease / 3, jobDone);
                try
                {
                    if (!await leases.RenewAsync(kind, taskId, NodeId, generation, Lease, jobDone))
                    {
                        await leaseLost.CancelAsync();
                        return;
                    }

                    sinceRenewed.Restart();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Could not renew the lease of {Kind} task {TaskId}.", kind, taskId);
                    if (sinceRenewed.Elapsed >= Lease)
                    {
                        await leaseLost.CancelAsync();
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (jobDone.IsCancellationRequested)
        {
        }
    }

    private static string Label(TaskKind kind) => kind == TaskKind.Store ? "store" : "restore";

    private async Task ReleaseQuietlyAsync(TaskKind kind, string taskId)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await leases.ReleaseAsync(kind, taskId, NodeId, timeout.Token);
        }
        catch (Exception e)
        {
            // The lease then simply expires.
            logger.LogWarning(e, "Could not release the lease of {Kind} task {TaskId} at shutdown.", kind, taskId);
        }
    }
}
