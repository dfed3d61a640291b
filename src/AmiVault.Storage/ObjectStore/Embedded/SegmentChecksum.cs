using System.Buffers.Binary;
using System.IO.Hashing;

namespace AmiVault.ObjectStore.Embedded;

/// <summary>
/// The seal of a plain (unencrypted) data file: each frame carries the 64-bit XXH3 of its data, seeded with the
/// frame's index and last-frame flag. It catches what the disk does to data at rest (flipped bits, torn or zeroed
/// pages, a truncated file), not a forger: encrypted objects get that from <see cref="SegmentCipher"/>.
/// The file starts with a 4-byte magic, so a file mistaken for another format fails at once.
/// </summary>
internal sealed class SegmentChecksum : IFrameSeal
{
    public static readonly SegmentChecksum Instance = new();

    private static readonly byte[] Magic = "AVC1"u8.ToArray();

    private SegmentChecksum()
    {
    }

    public int HeaderSize => Magic.Length;

    public int TagSize => sizeof(ulong);

    public static byte[] Header() => [.. Magic];

    public static void CheckHeader(ReadOnlySpan<byte> header)
    {
        if (!header.SequenceEqual(Magic))
        {
            throw ObjectStoreErrors.StoredDataCorrupt("a checksummed data file has no valid header");
        }
    }

    public void Seal(long index, bool last, ReadOnlySpan<byte> plain, Span<byte> stored)
    {
        plain.CopyTo(stored);
        BinaryPrimitives.WriteUInt64LittleEndian(stored.Slice(plain.Length, TagSize), Hash(index, last, plain));
    }

    public void Open(long index, bool last, ReadOnlySpan<byte> stored, Span<byte> plain)
    {
        var data = stored[..^TagSize];
        if (BinaryPrimitives.ReadUInt64LittleEndian(stored[^TagSize..]) != Hash(index, last, data))
        {
            throw ObjectStoreErrors.StoredDataCorrupt($"frame {index} failed its checksum");
        }

        data.CopyTo(plain);
    }

    private static ulong Hash(long index, bool last, ReadOnlySpan<byte> data) => XxHash3.HashToUInt64(data, (index << 1) | (last ? 1L : 0L));

    public void Dispose()
    {
        // Stateless and shared.
    }
}
