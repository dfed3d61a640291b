using System.Security.Cryptography;

namespace AmiVault.Archive;

/// <summary>
/// A frame whose stored bytes matched their SHA-256 and decompressed to their stated size. Each block is checked
/// against its own SHA-256 the first time it is asked for, unless they were checked already (<paramref name="blocksChecked"/>:
/// a raw frame's stored bytes are its blocks).
/// </summary>
internal sealed class DecodedFrame(ArchiveIndex index, ArchiveFrame frame, ReadOnlyMemory<byte> blocks, int blockSize, bool blocksChecked = false)
{
    private uint _verified = blocksChecked ? uint.MaxValue : 0;

    public ArchiveFrame Frame => frame;

    public ReadOnlyMemory<byte> Block(int slot)
    {
        var block = blocks.Slice(slot * blockSize, blockSize);
        if ((_verified & (1u << slot)) == 0)
        {
            Span<byte> actual = stackalloc byte[ArchiveFormat.HashLength];
            SHA256.HashData(block.Span, actual);
            var stored = frame.FirstStoredBlock + slot;
            if (!actual.SequenceEqual(index.BlockHash(stored).Span))
            {
                throw BlockCorrupt(frame, stored);
            }

            _verified |= 1u << slot;
        }

        return block;
    }

    public static ArchiveFormatException BlockCorrupt(ArchiveFrame frame, int storedBlock) => new(
        ArchiveProblem.BlockCorrupt,
        $"The archive is corrupt: block {storedBlock} (frame {frame.Number} at offset {frame.Offset}) does not match its SHA-256.");
}
