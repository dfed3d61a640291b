namespace AmiVault.Catalog.Iam;

/// <summary>A user's access key; the secret is sealed (encrypted) with the server's IAM key, never stored in clear.</summary>
internal sealed record IamAccessKeyRecord(string AccessKeyId, string AccountId, string UserName, byte[] SealedSecret, bool Active, DateTimeOffset CreateDate);
