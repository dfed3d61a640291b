using System.Buffers.Binary;
using System.IO.Hashing;
using AmiVault.Ebs;

namespace AmiVault.Blocks;

/// <summary>
/// The layout of a pack file, so that a pack can be read and checked without the catalog. A pack starts with a
/// 16-byte header (<c>AMIVPACK</c>, format version, reserved), then holds records one after another. A record is a
/// 56-byte header then the stored bytes:
/// <code>
///  0  "AVBR"               4  flags (bit 0: zstd, bit 1: AES-256-GCM)    5  3 reserved zero bytes
///  8  stored length (u32)  12 key id (u32; 0 unless encrypted)          16 the block's address (32 bytes: its SHA-256
///                                                                          unless encrypted, see <see cref="BlockScope"/>)
///  48 XXH3-64 over header bytes 0..48 and the stored bytes (u64, little-endian)
/// </code>
/// The checksum covers the header too, so a torn or flipped record is recognised whichever byte it hit.
/// </summary>
internal static class PackFormat
{
    public const int FileHeaderLength = 16;
    public const int RecordHeaderLength = 56;
    public const uint Version = 1;

    /// <summary>The largest stored form: a block is kept raw unless compression makes it smaller; encryption adds its nonce and tag.</summary>
    public const int MaxStoredLength = IBlockStore.BlockSize + BlockScope.Overhead;

    public const int MaxRecordLength = RecordHeaderLength + MaxStoredLength;

    private const int ChecksumOffset = 48;

    public static ReadOnlySpan<byte> FileMagic => "AMIVPACK"u8;

    public static ReadOnlySpan<byte> RecordMagic => "AVBR"u8;

    public static byte[] FileHeader()
    {
        var header = new byte[FileHeaderLength];
        FileMagic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), Version);
        return header;
    }

    public static bool IsFileHeader(ReadOnlySpan<byte> header) =>
        header.Length >= FileHeaderLength && header.StartsWith(FileMagic) && BinaryPrimitives.ReadUInt32LittleEndian(header[8..]) == Version;

    /// <summary>Writes the header of a record holding <paramref name="stored"/> for the block <paramref name="hash"/>.</summary>
    public static void WriteRecordHeader(Span<byte> header, ReadOnlySpan<byte> hash, PackRecordFlags flags, uint keyId, ReadOnlySpan<byte> stored)
    {
        header[..RecordHeaderLength].Clear();
        RecordMagic.CopyTo(header);
        header[4] = (byte)flags;
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], (uint)stored.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], keyId);
        hash.CopyTo(header[16..]);
        BinaryPrimitives.WriteUInt64LittleEndian(header[ChecksumOffset..], Checksum(header, stored));
    }

    /// <summary>
    /// Reads a record header: null when these bytes cannot begin a record (wrong magic, unknown flags, a length out
    /// of bounds). The stored bytes are checked separately by <see cref="ChecksumMatches"/>.
    /// </summary>
    public static PackRecordHeader? ReadRecordHeader(ReadOnlySpan<byte> header)
    {
        if (header.Length < RecordHeaderLength || !header.StartsWith(RecordMagic))
        {
            return null;
        }

        var flags = (PackRecordFlags)header[4];
        var length = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        if ((flags & ~(PackRecordFlags.Zstd | PackRecordFlags.Encrypted)) != 0 || length == 0 || length > MaxStoredLength)
        {
            return null;
        }

        return new PackRecordHeader(flags, (int)length, header.Slice(16, BlockHashes.Length).ToArray(), BinaryPrimitives.ReadUInt32LittleEndian(header[12..]));
    }

    public static bool ChecksumMatches(ReadOnlySpan<byte> header, ReadOnlySpan<byte> stored) =>
        BinaryPrimitives.ReadUInt64LittleEndian(header[ChecksumOffset..]) == Checksum(header, stored);

    private static ulong Checksum(ReadOnlySpan<byte> header, ReadOnlySpan<byte> stored)
    {
        var hash = new XxHash3();
        hash.Append(header[..ChecksumOffset]);
        hash.Append(stored);
        return hash.GetCurrentHashAsUInt64();
    }
}
