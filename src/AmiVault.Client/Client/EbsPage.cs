namespace AmiVault.Client;

/// <summary>One page of ListSnapshotBlocks or ListChangedBlocks; <see cref="NextToken"/> is null on the last.</summary>
internal sealed record EbsPage<T>(IReadOnlyList<T> Items, DateTimeOffset? ExpiryTime, long VolumeSizeGib, int BlockSize, string? NextToken);
