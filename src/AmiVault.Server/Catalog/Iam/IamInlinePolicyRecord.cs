namespace AmiVault.Catalog.Iam;

/// <summary>An inline policy embedded in a user or a role.</summary>
internal sealed record IamInlinePolicyRecord(string AccountId, IamPrincipalKind Kind, string PrincipalName, string PolicyName, string Document);
