namespace AmiVault.Transfers;

internal enum SyncStatus
{
    /// <summary>Copied and verified.</summary>
    Copied,

    /// <summary>The destination already held this version.</summary>
    Current,

    WouldCopy,

    Deleted,

    WouldDelete,

    /// <summary>Stopped mid-copy: the parts sent are journaled; the next run resumes.</summary>
    Stopped,

    /// <summary>Did not verify (a damaged source archive, a copy that does not match): exit 3.</summary>
    Unverified,

    Failed,
}
