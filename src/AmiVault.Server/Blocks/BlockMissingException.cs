namespace AmiVault.Blocks;

/// <summary>A block the catalog refers to has no data in the store: lost or deleted behind the server's back.</summary>
internal sealed class BlockMissingException(string hashHex, string where)
    : Exception($"Block {hashHex} has no data in the block store ({where}).")
{
    public string HashHex { get; } = hashHex;
}
