namespace AmiVault.ObjectStore;

/// <summary>A part named in CompleteMultipartUpload: its number and the ETag its upload returned.</summary>
internal sealed record CompletedPart(int PartNumber, string ETag);
