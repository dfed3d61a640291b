using System.Buffers.Binary;
using System.Security.Cryptography;
using AmiVault.Archive;

namespace AmiVault.Tests.Archive;

/// <summary>
/// Finds the regions of an archive and recomputes its digests after a deliberate change, so tests can hand the
/// reader damage that the digests do not catch: what a crafted (not merely corrupted) object looks like.
/// </summary>
internal static class ArchiveSurgery
{
    public static long DataOffset(byte[] archive) => ArchiveFormat.HeaderLength + BinaryPrimitives.ReadUInt32LittleEndian(archive.AsSpan(16));

    public static long IndexOffset(byte[] archive) => BinaryPrimitives.ReadInt64LittleEndian(archive.AsSpan(archive.Length - ArchiveFormat.TrailerLength));

    /// <summary>Rewrites the trailer digest to match the archive's current header, manifest and index, if they can be located.</summary>
    public static bool TryReseal(byte[] archive)
    {
        if (archive.Length < ArchiveFormat.HeaderLength + ArchiveFormat.TrailerLength)
        {
            return false;
        }

        var dataOffset = DataOffset(archive);
        var trailerOffset = archive.Length - ArchiveFormat.TrailerLength;
        var indexOffset = IndexOffset(archive);
        if (dataOffset > trailerOffset || indexOffset < dataOffset || indexOffset > trailerOffset)
        {
            return false;
        }

        using var digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        digest.AppendData(archive, 0, (int)dataOffset);
        digest.AppendData(archive, (int)indexOffset, trailerOffset - (int)indexOffset);
        digest.AppendData(archive, trailerOffset, ArchiveTrailer.DigestedLength);
        digest.GetHashAndReset().CopyTo(archive.AsSpan(trailerOffset + ArchiveTrailer.DigestedLength));
        return true;
    }

    /// <summary>The frames of a well-formed archive: number, offset, length, codec, and where the frame's hash sits.</summary>
    public static IReadOnlyList<(ArchiveFrame Frame, int HashOffset)> Frames(byte[] archive)
    {
        var dataOffset = DataOffset(archive);
        var indexOffset = IndexOffset(archive);
        var index = archive.AsSpan((int)indexOffset, archive.Length - ArchiveFormat.TrailerLength - (int)indexOffset).ToArray();
        var manifest = ArchiveManifestJson.Deserialize(archive.AsSpan((int)ArchiveFormat.HeaderLength, (int)dataOffset - ArchiveFormat.HeaderLength));
        var blockSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(archive.AsSpan(12));
        var parsed = ArchiveIndex.Parse(index, dataOffset, indexOffset, blockSize, manifest.Snapshots);
        return Enumerable.Range(0, parsed.FrameCount)
            .Select(n => (parsed.Frame(n), (int)indexOffset + ArchiveFormat.IndexHeaderLength + n * ArchiveFormat.FrameEntryLength + 8))
            .ToList();
    }

    /// <summary>Puts another manifest in, moving the rest and fixing the lengths and offsets that depend on it.</summary>
    public static byte[] ReplaceManifest(byte[] archive, byte[] json)
    {
        var dataOffset = (int)DataOffset(archive);
        var delta = json.Length - (dataOffset - ArchiveFormat.HeaderLength);
        byte[] replaced = [.. archive.AsSpan(0, ArchiveFormat.HeaderLength), .. json, .. archive.AsSpan(dataOffset)];
        BinaryPrimitives.WriteUInt32LittleEndian(replaced.AsSpan(16), (uint)json.Length);
        BinaryPrimitives.WriteInt64LittleEndian(replaced.AsSpan(replaced.Length - ArchiveFormat.TrailerLength), IndexOffset(archive) + delta);
        TryReseal(replaced);
        return replaced;
    }

    /// <summary>Recomputes a zstd frame's SHA-256 in the index after its bytes were changed, then the trailer digest.</summary>
    public static void ResealFrame(byte[] archive, ArchiveFrame frame, int hashOffset)
    {
        SHA256.HashData(archive.AsSpan((int)frame.Offset, frame.StoredLength)).CopyTo(archive.AsSpan(hashOffset));
        TryReseal(archive);
    }
}
