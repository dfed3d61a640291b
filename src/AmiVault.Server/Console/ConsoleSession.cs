using System.Globalization;
using AmiVault.Accounts;
using AmiVault.Auth;

namespace AmiVault.Console;

/// <summary>
/// A signed-in browser: the credential that signed in (an account's root key or an IAM user's key: its account and
/// principal), the token its forms must carry, and when it lapses.
/// </summary>
internal sealed class ConsoleSession(string id, string accessKeyId, Credential credential, string csrfToken, DateTimeOffset created)
{
    public string Id { get; } = id;

    /// <summary>The key that signed in; the session lasts only while that key is still active for the same principal.</summary>
    public string AccessKeyId { get; } = accessKeyId;

    public Account Account => credential.Account;

    /// <summary>Who the console acts as: every action is authorized for this principal, as a signed request of its key.</summary>
    public IamPrincipal Principal => credential.Principal;

    /// <summary>Sent back by every state-changing form; a page of another site cannot read it.</summary>
    public string CsrfToken { get; } = csrfToken;

    public DateTimeOffset Created { get; } = created;

    public DateTimeOffset LastSeen { get; set; } = created;

    /// <summary>
    /// The identity an API sees when the console runs one of its actions for this session: the session's account and
    /// principal, for <paramref name="service"/> in <paramref name="region"/>, at <paramref name="now"/>.
    /// </summary>
    public RequestIdentity Identity(string service, string region, DateTimeOffset now)
    {
        var date = now.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        return new RequestIdentity(Account, Principal, service, region, now,
            now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture),
            $"{date}/{region}/{service}/aws4_request", SigningKey: [], SeedSignature: "", PayloadHash: "");
    }
}
