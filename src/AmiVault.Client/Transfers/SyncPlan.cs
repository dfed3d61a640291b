namespace AmiVault.Transfers;

/// <summary>What one pass of a sync found: archives to copy, archives the destination already holds, and (with --delete) archives to delete.</summary>
internal sealed record SyncPlan(IReadOnlyList<SyncItem> Copies, IReadOnlyList<SyncItem> Current, IReadOnlyList<SyncItem> Deletions, int Excluded)
{
    public long Bytes => Copies.Sum(c => c.Size);
}
