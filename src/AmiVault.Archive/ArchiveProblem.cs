namespace AmiVault.Archive;

/// <summary>Why an archive was refused; the message of <see cref="ArchiveFormatException"/> gives the details.</summary>
public enum ArchiveProblem
{
    /// <summary>The object ends before the archive does (an upload cut short, a partial copy).</summary>
    Truncated,

    /// <summary>The object does not start with the archive magic: it is something else.</summary>
    NotAnArchive,

    /// <summary>A format version (or feature flag) this server does not read.</summary>
    UnsupportedVersion,

    /// <summary>The digest over header, manifest and index does not match: one of them is corrupt.</summary>
    DigestMismatch,

    /// <summary>A compressed frame does not match its SHA-256 or does not decompress to its stated size.</summary>
    FrameCorrupt,

    /// <summary>A block does not match its SHA-256.</summary>
    BlockCorrupt,

    /// <summary>A length, offset, count or manifest field is out of range or inconsistent.</summary>
    Malformed,

    /// <summary>A size is beyond what this reader accepts (manifest, index, snapshots, frame).</summary>
    LimitExceeded,
}
