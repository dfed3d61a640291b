namespace AmiVault.Catalog.Iam;

/// <summary>An IAM role with its trust policy (who may assume it) and the longest session it grants.</summary>
internal sealed record IamRoleRecord(string AccountId, string RoleName, string RoleId, string TrustPolicy, int MaxSessionDuration, string Description, DateTimeOffset CreateDate);
