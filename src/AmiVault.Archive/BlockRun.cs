using System.Buffers.Binary;

namespace AmiVault.Archive;

/// <summary>
/// Consecutive block indices of a snapshot described at once, so zero stretches and fresh data cost one index
/// entry each instead of one per block. 13 bytes: first index u32, length u32, kind u8, stored block u32.
/// </summary>
internal readonly record struct BlockRun(uint FirstBlockIndex, uint Length, BlockRunKind Kind, uint StoredBlock)
{
    public long End => (long)FirstBlockIndex + Length;

    public static BlockRun Read(ReadOnlySpan<byte> bytes) => new(
        BinaryPrimitives.ReadUInt32LittleEndian(bytes),
        BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]),
        (BlockRunKind)bytes[8],
        BinaryPrimitives.ReadUInt32LittleEndian(bytes[9..]));

    public void Write(Span<byte> bytes)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, FirstBlockIndex);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[4..], Length);
        bytes[8] = (byte)Kind;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[9..], StoredBlock);
    }

    /// <summary>The stored block behind block <paramref name="offset"/> of the run (not for zero runs).</summary>
    public uint StoredBlockAt(uint offset) => Kind == BlockRunKind.Sequential ? StoredBlock + offset : StoredBlock;
}
