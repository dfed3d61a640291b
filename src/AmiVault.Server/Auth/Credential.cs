using AmiVault.Accounts;

namespace AmiVault.Auth;

/// <summary>
/// What an access key id stands for: the account and principal it signs for, its secret, whether it may sign now,
/// and for temporary credentials the SHA-256 of the session token that must come with it and when it expires.
/// </summary>
internal sealed record Credential(
    Account Account,
    IamPrincipal Principal,
    string SecretAccessKey,
    bool Active = true,
    byte[]? SessionTokenHash = null,
    DateTimeOffset? Expiration = null);
