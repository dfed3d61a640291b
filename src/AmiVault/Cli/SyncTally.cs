using AmiVault.Cli.Common;
using AmiVault.Transfers;

namespace AmiVault.Cli;

/// <summary>The counts of one sync pass, updated by concurrent workers, and the exit code they add up to.</summary>
internal sealed class SyncTally
{
    private readonly Lock _gate = new();
    private int _failureCode;

    public int Copied { get; private set; }

    public int Failed { get; private set; }

    public int Unverified { get; private set; }

    public int Stopped { get; private set; }

    public int Deleted { get; private set; }

    public int RestoredCount { get; private set; }

    public int AliasesUpdated { get; private set; }

    /// <summary>Objects of the plan's copies that are done, whichever way.</summary>
    public int Finished { get; private set; }

    public void Add(SyncOutcome outcome)
    {
        lock (_gate)
        {
            switch (outcome.Status)
            {
                case SyncStatus.Copied:
                    Copied++;
                    break;
                case SyncStatus.Failed:
                    Failed++;
                    break;
                case SyncStatus.Unverified:
                    Unverified++;
                    break;
                case SyncStatus.Stopped:
                    Stopped++;
                    break;
                case SyncStatus.Deleted:
                    Deleted++;
                    break;
            }

            if (outcome.Status is SyncStatus.Copied or SyncStatus.Failed or SyncStatus.Unverified or SyncStatus.Stopped)
            {
                Finished++;
            }
        }
    }

    public void Restored(bool started)
    {
        if (started)
        {
            lock (_gate)
            {
                RestoredCount++;
            }
        }
    }

    public void Aliased(bool changed)
    {
        if (changed)
        {
            lock (_gate)
            {
                AliasesUpdated++;
            }
        }
    }

    /// <summary>Records the exit code of a failure (the first one counts).</summary>
    public void Fail(int code)
    {
        lock (_gate)
        {
            _failureCode = _failureCode == 0 ? code : _failureCode;
        }
    }

    /// <summary>3 when anything did not verify, 130 when stopped, else the first failure's code, else 0.</summary>
    public int ExitCode(bool stopped)
    {
        lock (_gate)
        {
            return Unverified > 0 ? ExitCodes.VerificationFailed
                : stopped ? ExitCodes.Interrupted
                : _failureCode;
        }
    }
}
