using AmiVault.Accounts;

namespace AmiVault.Auth;

/// <summary>
/// Who sent a request, established by its SigV4 signature. Carries what streaming bodies need to check
/// chunk signatures (aws-chunked): the signing key, scope, time and the seed signature.
/// </summary>
internal sealed record RequestIdentity(
    Account Account,
    string Service,
    string Region,
    DateTimeOffset RequestTime,
    string AmzDate,
    string Scope,
    byte[] SigningKey,
    string SeedSignature,
    string PayloadHash);
