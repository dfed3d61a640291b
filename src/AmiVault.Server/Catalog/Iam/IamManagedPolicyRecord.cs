namespace AmiVault.Catalog.Iam;

/// <summary>A customer managed policy with its versions (at most five) and which of them is in force.</summary>
internal sealed record IamManagedPolicyRecord(
    string AccountId,
    string PolicyName,
    string PolicyId,
    int DefaultVersion,
    string Description,
    DateTimeOffset CreateDate,
    IReadOnlyList<IamPolicyVersionRecord> Versions);
