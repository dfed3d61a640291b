namespace AmiVault.ObjectStore.Embedded;

internal sealed record SegmentRecord(string Path, long Length);
