namespace AmiVault.Client;

/// <summary>A written block of a snapshot and the token that reads it (valid until the page's ExpiryTime).</summary>
internal sealed record ListedBlock(int BlockIndex, string BlockToken);
