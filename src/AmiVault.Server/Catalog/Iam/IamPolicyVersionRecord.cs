namespace AmiVault.Catalog.Iam;

/// <summary>One version of a managed policy (v1, v2…): its document as the caller wrote it.</summary>
internal sealed record IamPolicyVersionRecord(int Version, string Document, DateTimeOffset CreateDate);
