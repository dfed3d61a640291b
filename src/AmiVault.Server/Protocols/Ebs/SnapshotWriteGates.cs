using System.Collections.Concurrent;

namespace AmiVault.Protocols.Ebs;

/// <summary>
/// Keeps block writes to a pending snapshot apart from what ends it (CompleteSnapshot, the timeout sweeper): many
/// writers may be in at once; a closer shuts the gate to new writers and waits for those inside, so it counts and
/// seals a snapshot no block write can still change. Gates live in memory only while a snapshot is pending.
/// </summary>
internal sealed class SnapshotWriteGates
{
    private readonly ConcurrentDictionary<string, Gate> _gates = new(StringComparer.Ordinal);

    /// <summary>Enters as a writer; null when the snapshot is being (or has been) closed.</summary>
    public WriteLease? TryEnterWrite(string snapshotId)
    {
        var gate = _gates.GetOrAdd(snapshotId, _ => new Gate());
        lock (gate)
        {
            if (gate.Closed)
            {
                return null;
            }

            gate.Writers++;
        }

        return new WriteLease(gate);
    }

    /// <summary>Shuts out new writers and waits for those inside. One closer at a time per snapshot.</summary>
    public async Task<Closure> CloseAsync(string snapshotId, CancellationToken cancellationToken)
    {
        var gate = _gates.GetOrAdd(snapshotId, _ => new Gate());
        await gate.Closer.WaitAsync(cancellationToken);
        Task drained;
        lock (gate)
        {
            gate.Closed = true;
            gate.Drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (gate.Writers == 0)
            {
                gate.Drained.SetResult();
            }

            drained = gate.Drained.Task;
        }

        try
        {
            await drained.WaitAsync(cancellationToken);
        }
        catch
        {
            Reopen(gate);
            throw;
        }

        return new Closure(this, snapshotId, gate);
    }

    /// <summary>Drops the gate of a snapshot that is no longer pending, unless someone is using it.</summary>
    public void ForgetIfIdle(string snapshotId)
    {
        if (_gates.TryGetValue(snapshotId, out var gate))
        {
            lock (gate)
            {
                if (gate.Writers > 0 || gate.Closed)
                {
                    return;
                }

                // Closed for good: a writer still holding this instance must not get in.
                gate.Closed = true;
            }

            _gates.TryRemove(new KeyValuePair<string, Gate>(snapshotId, gate));
        }
    }

    internal int Count => _gates.Count;

    private static void Reopen(Gate gate)
    {
        lock (gate)
        {
            gate.Closed = false;
            gate.Drained = null;
        }

        gate.Closer.Release();
    }

    internal sealed class Gate
    {
        public SemaphoreSlim Closer { get; } = new(1, 1);

        /// <summary>Serializes writers' updates of the snapshot's record (progress, deadline).</summary>
        public SemaphoreSlim RecordLock { get; } = new(1, 1);

        public int Writers { get; set; }

        public bool Closed { get; set; }

        public TaskCompletionSource? Drained { get; set; }
    }

    /// <summary>A writer's pass through the gate; disposing it leaves.</summary>
    internal sealed class WriteLease(Gate gate) : IDisposable
    {
        private bool _left;

        public SemaphoreSlim RecordLock => gate.RecordLock;

        public void Dispose()
        {
            if (_left)
            {
                return;
            }

            _left = true;
            lock (gate)
            {
                gate.Writers--;
                if (gate.Writers == 0)
                {
                    gate.Drained?.TrySetResult();
                }
            }
        }
    }

    /// <summary>A closed gate. <see cref="Retire"/> once the snapshot left pending; disposing otherwise reopens it.</summary>
    internal sealed class Closure(SnapshotWriteGates owner, string snapshotId, Gate gate) : IDisposable
    {
        private bool _done;

        public void Retire()
        {
            _done = true;
            owner._gates.TryRemove(new KeyValuePair<string, Gate>(snapshotId, gate));
            gate.Closer.Release();
        }

        public void Dispose()
        {
            if (!_done)
            {
                _done = true;
                Reopen(gate);
            }
        }
    }
}
