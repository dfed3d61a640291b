namespace AmiVault.ObjectStore.Embedded;

/// <summary>
/// One data file of an object: its path (relative to the bucket's data folder) and plaintext length. Plain files are
/// <see cref="Checksummed"/> (sealed by <see cref="SegmentChecksum"/>) since data checksums came in; a record written
/// before has no such field, reads as false, and its file is read as the raw bytes it is. Encrypted files are always
/// sealed by <see cref="SegmentCipher"/>, whatever this says. <see cref="Checksum"/>: a part's flexible checksum (of the
/// object's algorithm) when the object is a multipart one with a checksum.
/// </summary>
internal sealed record SegmentRecord(string Path, long Length, bool Checksummed = false, string? Checksum = null);
