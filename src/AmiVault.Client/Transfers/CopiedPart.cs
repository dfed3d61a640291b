namespace AmiVault.Transfers;

/// <summary>A part the destination accepted: its number, the ETag it answered (the part's MD5) and its size.</summary>
internal sealed record CopiedPart(int Part, string ETag, long Size);
