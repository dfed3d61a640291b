using System.Buffers.Binary;

namespace AmiVault.Archive;

/// <summary>
/// The last <see cref="ArchiveFormat.TrailerLength"/> bytes: index offset u64, index length u64, the archive digest
/// (SHA-256 over header, manifest, index and the trailer's first 16 bytes), then the magic "AMIV-END".
/// </summary>
internal readonly record struct ArchiveTrailer(long IndexOffset, long IndexLength, ReadOnlyMemory<byte> Digest)
{
    /// <summary>The trailer bytes the digest covers (the offsets, so that they cannot move unnoticed).</summary>
    public const int DigestedLength = 16;

    public static void WriteOffsets(Span<byte> bytes, long indexOffset, long indexLength)
    {
        BinaryPrimitives.WriteInt64LittleEndian(bytes, indexOffset);
        BinaryPrimitives.WriteInt64LittleEndian(bytes[8..], indexLength);
    }

    public static void WriteDigestAndMagic(Span<byte> bytes, ReadOnlySpan<byte> digest)
    {
        digest.CopyTo(bytes[DigestedLength..]);
        ArchiveFormat.TrailerMagic.CopyTo(bytes[(DigestedLength + ArchiveFormat.DigestLength)..]);
    }

    public static ArchiveTrailer Parse(byte[] bytes)
    {
        if (!bytes.AsSpan(DigestedLength + ArchiveFormat.DigestLength).SequenceEqual(ArchiveFormat.TrailerMagic))
        {
            throw new ArchiveFormatException(
                ArchiveProblem.Truncated,
                "The archive does not end with its trailer: the object is incomplete (truncated) or has bytes appended.");
        }

        return new ArchiveTrailer(
            BinaryPrimitives.ReadInt64LittleEndian(bytes),
            BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8)),
            bytes.AsMemory(DigestedLength, ArchiveFormat.DigestLength));
    }
}
