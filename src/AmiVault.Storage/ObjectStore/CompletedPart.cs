namespace AmiVault.ObjectStore;

/// <summary>
/// A part named in CompleteMultipartUpload: its number, the ETag its upload returned and, when the request gives one,
/// the part's flexible checksum, which must match the one kept with the part.
/// </summary>
internal sealed record CompletedPart(int PartNumber, string ETag, ObjectChecksum? Checksum = null);
