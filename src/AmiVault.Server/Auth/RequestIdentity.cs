using AmiVault.Accounts;

namespace AmiVault.Auth;

/// <summary>
/// Who sent a request, established by its SigV4 signature. Carries what streaming bodies need to check
/// chunk signatures (aws-chunked): the signing key, scope, time and the seed signature. <see cref="Account"/> is the
/// account whose resources the caller acts on; <see cref="Principal"/> who within it (root, user, role session).
/// </summary>
internal sealed record RequestIdentity(
    Account Account,
    IamPrincipal Principal,
    string Service,
    string Region,
    DateTimeOffset RequestTime,
    string AmzDate,
    string Scope,
    byte[] SigningKey,
    string SeedSignature,
    string PayloadHash);
