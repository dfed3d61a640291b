namespace AmiVault.ObjectStore.Embedded;

/// <summary>A data file written and flushed to disk: its plaintext length and MD5.</summary>
internal sealed record WrittenSegment(string Path, long Length, byte[] Md5);
