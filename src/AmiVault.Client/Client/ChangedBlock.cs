namespace AmiVault.Client;

/// <summary>A block index that differs between two snapshots, with a token for each snapshot that has the block.</summary>
internal sealed record ChangedBlock(int BlockIndex, string? FirstBlockToken, string? SecondBlockToken);
