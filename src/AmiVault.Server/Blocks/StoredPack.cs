namespace AmiVault.Blocks;

/// <summary>A pack as its backend lists it: its id, its length in bytes, and when it was last written.</summary>
internal readonly record struct StoredPack(long Id, long Length, DateTimeOffset Modified);
