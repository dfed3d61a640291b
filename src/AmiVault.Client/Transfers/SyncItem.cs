namespace AmiVault.Transfers;

/// <summary>One stored image in a sync's plan: its key below both prefixes, its size at the source, and why it is copied (or deleted).</summary>
internal sealed record SyncItem(string RelativeKey, long Size, string Reason);
