using System.Security.Cryptography;

namespace AmiVault.Archive;

/// <summary>
/// A frame whose stored bytes matched their SHA-256 and decompressed to their stated size. Each block is checked
/// against its own SHA-256 the first time it is asked for.
/// </summary>
internal sealed class DecodedFrame(ArchiveIndex index, ArchiveFrame frame, ReadOnlyMemory<byte> blocks, int blockSize)
{
    private uint _verified;

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
                throw new ArchiveFormatException(
                    ArchiveProblem.BlockCorrupt,
                    $"The archive is corrupt: block {stored} (frame {frame.Number} at offset {frame.Offset}) does not match its SHA-256.");
            }

            _verified |= 1u << slot;
        }

        return block;
    }
}
