namespace AmiVault.ObjectStore;

/// <summary>When an object expires and under which lifecycle rule (S3 tells both in x-amz-expiration).</summary>
internal sealed record ObjectExpiration(DateTimeOffset Date, string RuleId);
