namespace AmiVault.Cli;

/// <summary>
/// The images a sync pass restored (or found restored), by stored name, keeping for each name the one whose source
/// image is newest: the version of a golden image its alias should name. Offered to by concurrent workers.
/// </summary>
internal sealed class AliasCandidates
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (SyncRestoreResult Restored, string Destination)> _newest = new(StringComparer.Ordinal);

    public void Offer(SyncRestoreResult restored, string destination)
    {
        if (restored.StoredName is not { } name)
        {
            return;
        }

        lock (_gate)
        {
            if (!_newest.TryGetValue(name, out var kept) || restored.SourceCreated > kept.Restored.SourceCreated)
            {
                _newest[name] = (restored, destination);
            }
        }
    }

    /// <summary>Name, image and the archive it came from, by name.</summary>
    public IReadOnlyList<(string Name, SyncRestoreResult Restored, string Destination)> Newest()
    {
        lock (_gate)
        {
            return [.. _newest.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value.Restored, p.Value.Destination))];
        }
    }
}
