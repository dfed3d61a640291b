namespace AmiVault.Transfers;

/// <summary>What happened to one object of a sync; <see cref="Copy"/> for a copied one, <see cref="Error"/> for one that was not.</summary>
internal sealed record SyncOutcome(SyncItem Item, SyncStatus Status, ObjectCopyResult? Copy = null, Exception? Error = null);
