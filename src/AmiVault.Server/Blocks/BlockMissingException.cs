namespace AmiVault.Blocks;

/// <summary>A block the catalog refers to has no data in the store: lost or deleted behind the server's back.</summary>
internal sealed class BlockMissingException(string hashHex, string path)
    : Exception($"Block {hashHex} has no data in the block store (expected at '{path}').")
{
    public string HashHex { get; } = hashHex;
}
