namespace AmiVault.Catalog.Iam;

/// <summary>An IAM user of an account; its id is AWS-shaped (AIDA + 17 characters).</summary>
internal sealed record IamUserRecord(string AccountId, string UserName, string UserId, DateTimeOffset CreateDate);
