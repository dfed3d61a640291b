namespace AmiVault.Catalog.Iam;

/// <summary>A managed policy (by name, in the same account) attached to a user or a role.</summary>
internal sealed record IamAttachmentRecord(string AccountId, IamPrincipalKind Kind, string PrincipalName, string PolicyName);
