using System.Globalization;
using System.Security.Cryptography;
using AmiVault.Auth;
using AmiVault.Configuration;
using AmiVault.Signing;

namespace AmiVault.Console;

/// <summary>
/// Checks an access key id and secret the way SigV4 verification does, against the same credentials (an account's
/// root key or an active IAM user key; temporary STS credentials need a session token the form does not take): the
/// signing key derived from the secret that was typed is compared, in constant time, with the one derived from the
/// key's own secret. An unknown key id costs the same derivation, so timing does not tell which key ids exist.
/// </summary>
internal sealed class ConsoleSignIn(ICredentialStore credentials, ServerContext server, TimeProvider time)
{
    /// <summary>Bounds what is hashed for a typed secret; AWS secrets are 40 characters.</summary>
    private const int MaxSecretLength = 128;

    public Credential? Verify(string accessKeyId, string secret)
    {
        var date = time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var credential = Usable(credentials.Find(accessKeyId.Trim()));
        var typed = SigningKeyCache.Derive(secret.Length <= MaxSecretLength ? secret : "", date, server.Region, "ec2");
        var expected = SigningKeyCache.Derive(credential?.SecretAccessKey ?? ConsoleSessions.NewToken(), date, server.Region, "ec2");
        var matches = CryptographicOperations.FixedTimeEquals(typed, expected);
        return credential is not null && matches && secret.Length <= MaxSecretLength ? credential : null;
    }

    /// <summary>
    /// Whether a session may go on: its key still exists, is active and stands for the same principal (a key deleted
    /// or made inactive through IAM ends the sessions it opened at their next request). Answers the current credential.
    /// </summary>
    public Credential? StillValid(ConsoleSession session) =>
        Usable(credentials.Find(session.AccessKeyId)) is { } credential && credential.Principal.Arn == session.Principal.Arn ? credential : null;

    private static Credential? Usable(Credential? credential) => credential is { Active: true, SessionTokenHash: null } ? credential : null;
}
