namespace AmiVault.Catalog.Iam;

/// <summary>
/// Temporary credentials issued by sts:AssumeRole: the key, its sealed secret, the SHA-256 of its session token (the
/// token itself is only ever in the caller's hands) and when it expires.
/// </summary>
internal sealed record StsSessionRecord(
    string AccessKeyId,
    string AccountId,
    string RoleName,
    string RoleId,
    string SessionName,
    byte[] SealedSecret,
    byte[] TokenHash,
    DateTimeOffset Expiration);
