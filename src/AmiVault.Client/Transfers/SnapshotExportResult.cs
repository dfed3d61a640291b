namespace AmiVault.Transfers;

/// <summary>What an export wrote: the file, the volume's size, blocks read and those left as holes.</summary>
internal sealed record SnapshotExportResult(string Path, long VolumeBytes, long BlocksRead, long BlocksWritten, long AllocatedBytes, TimeSpan Elapsed);
