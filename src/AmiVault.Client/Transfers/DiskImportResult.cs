using AmiVault.Ebs;

namespace AmiVault.Transfers;

/// <summary>What an import did: the snapshot, and how much of the image was sent and skipped.</summary>
internal sealed record DiskImportResult(
    string SnapshotId,
    long VolumeSizeGib,
    long ImageBytes,
    int BlocksWritten,
    long BlocksSkipped,
    string LinearChecksum,
    string Status,
    TimeSpan Elapsed);
