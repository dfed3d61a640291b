using System.Buffers.Binary;

namespace AmiVault.Archive;

/// <summary>
/// The first <see cref="ArchiveFormat.HeaderLength"/> bytes: magic "AMIVAULT", version u16, flags u16 (none defined,
/// must be 0), block size u32, manifest length u32. All integers little-endian.
/// </summary>
internal readonly record struct ArchiveHeader(ushort Version, int BlockSize, int ManifestLength)
{
    public void Write(Span<byte> bytes)
    {
        ArchiveFormat.HeaderMagic.CopyTo(bytes);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes[8..], Version);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes[10..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[12..], (uint)BlockSize);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[16..], (uint)ManifestLength);
    }

    /// <summary>Reads and checks a header; the version is checked before anything that a later version may change.</summary>
    public static ArchiveHeader Parse(ReadOnlySpan<byte> bytes)
    {
        if (!bytes[..8].SequenceEqual(ArchiveFormat.HeaderMagic))
        {
            throw new ArchiveFormatException(ArchiveProblem.NotAnArchive, "The object is not an AmiVault image archive (its first bytes are not \"AMIVAULT\").");
        }

        var version = BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]);
        if (version != ArchiveFormat.Version)
        {
            throw new ArchiveFormatException(
                ArchiveProblem.UnsupportedVersion,
                $"The archive has format version {version}; this server reads version {ArchiveFormat.Version} only.");
        }

        var flags = BinaryPrimitives.ReadUInt16LittleEndian(bytes[10..]);
        if (flags != 0)
        {
            throw new ArchiveFormatException(
                ArchiveProblem.UnsupportedVersion, $"The archive uses features (flags 0x{flags:x4}) that this server does not know.");
        }

        var blockSize = BinaryPrimitives.ReadUInt32LittleEndian(bytes[12..]);
        if (blockSize > int.MaxValue || !ArchiveFormat.IsValidBlockSize((int)blockSize))
        {
            throw new ArchiveFormatException(ArchiveProblem.Malformed, $"The archive's block size {blockSize} is not a power of two from 4 KiB to 1 MiB.");
        }

        var manifestLength = BinaryPrimitives.ReadUInt32LittleEndian(bytes[16..]);
        if (manifestLength > ArchiveFormat.MaxManifestLength)
        {
            throw new ArchiveFormatException(
                ArchiveProblem.LimitExceeded,
                $"The archive's manifest is {manifestLength} bytes; at most {ArchiveFormat.MaxManifestLength} are accepted.");
        }

        return new ArchiveHeader(version, (int)blockSize, (int)manifestLength);
    }
}
