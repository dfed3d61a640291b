using AmiVault.Blocks;
using Microsoft.Extensions.DependencyInjection;

namespace AmiVault.Tests.Tasks;

/// <summary>
/// The server's real block store with a gate in front of it: once closed, the next block read or write waits until
/// the test opens it again, so a store or restore can be held mid-way while the test changes the world under it; and
/// a switch that makes writes fail as a full disk does (which the real store on a test machine cannot be made to do).
/// Everything else (catalog, object store, the task engine) is the real thing.
/// </summary>
internal sealed class GatedBlockStore(IBlockStore inner) : IBlockStore
{
    private readonly object _lock = new();
    private TaskCompletionSource _open = Opened();
    private TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Replaces the server's block store with a gated one (for <c>TestServer.StartAsync(…, services)</c>).</summary>
    public static void Install(IServiceCollection services)
    {
        services.AddSingleton(sp => new GatedBlockStore(sp.GetRequiredService<PackBlockStore>()));
        services.AddSingleton<IBlockStore>(sp => sp.GetRequiredService<GatedBlockStore>());
    }

    /// <summary>Holds every block read and write from now on; completes when the first one is held.</summary>
    public Task CloseAsync()
    {
        lock (_lock)
        {
            _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _reached.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    public void Open()
    {
        lock (_lock)
        {
            _open.TrySetResult();
        }
    }

    /// <summary>When set, every block write fails with ENOSPC's message.</summary>
    public bool DiskFull { get; set; }

    public async Task PutAsync(BlockScope scope, byte[] hash, ReadOnlyMemory<byte> data, Func<Task> recordReference, CancellationToken cancellationToken = default)
    {
        await PassAsync(cancellationToken);
        if (DiskFull)
        {
            throw new IOException("No space left on device");
        }

        await inner.PutAsync(scope, hash, data, recordReference, cancellationToken);
    }

    public async Task ReadAsync(BlockScope scope, byte[] hash, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await PassAsync(cancellationToken);
        await inner.ReadAsync(scope, hash, buffer, cancellationToken);
    }

    public Task ReclaimAsync(IEnumerable<byte[]> candidates, CancellationToken cancellationToken = default) =>
        inner.ReclaimAsync(candidates, cancellationToken);

    private static TaskCompletionSource Opened()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    private Task PassAsync(CancellationToken cancellationToken)
    {
        Task gate;
        lock (_lock)
        {
            gate = _open.Task;
            if (!gate.IsCompleted)
            {
                _reached.TrySetResult();
            }
        }

        return gate.WaitAsync(cancellationToken);
    }
}
