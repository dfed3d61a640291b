using System.Globalization;
using System.Security.Cryptography;
using AmiVault.Accounts;
using AmiVault.Auth;

using AmiVault.Configuration;
using AmiVault.Signing;

namespace AmiVault.Console;

/// <summary>
/// Checks an access key id and secret the way SigV4 verification does: the signing key derived from the secret that
/// was typed is compared, in constant time, with the one derived from the key's own secret. An unknown key id costs
/// the same derivation, so timing does not tell which key ids exist.
/// </summary>
internal sealed class ConsoleSignIn(AccountDirectory accounts, ServerContext server, TimeProvider time)
{
    /// <summary>Bounds what is hashed for a typed secret; AWS secrets are 40 characters.</summary>
    private const int MaxSecretLength = 128;

    public Account? Verify(string accessKeyId, string secret)
    {
        var date = time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var account = accounts.FindByAccessKey(accessKeyId.Trim());
        var typed = SigningKeyCache.Derive(secret.Length <= MaxSecretLength ? secret : "", date, server.Region, "ec2");
        var expected = SigningKeyCache.Derive(account?.SecretAccessKey ?? ConsoleSessions.NewToken(), date, server.Region, "ec2");
        var matches = CryptographicOperations.FixedTimeEquals(typed, expected);
        return account is not null && matches && secret.Length <= MaxSecretLength ? account : null;
    }
}
