namespace AmiVault.Blocks;

/// <summary>
/// A block's stored record is not what was written (a flipped byte, a cut pack, an index entry pointing past a pack's
/// end): the read fails rather than return bytes that are not the block.
/// </summary>
internal sealed class BlockDamagedException(string hashHex, string message) : Exception($"Block {hashHex} is damaged in the block store: {message}")
{
    public string HashHex { get; } = hashHex;
}
