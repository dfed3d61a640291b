using AmiVault.Accounts;

namespace AmiVault.Console;

/// <summary>A signed-in browser: whose keys signed in, the token its forms must carry, and when it lapses.</summary>
internal sealed class ConsoleSession(string id, Account account, string csrfToken, DateTimeOffset created)
{
    public string Id { get; } = id;

    public Account Account { get; } = account;

    /// <summary>Sent back by every state-changing form; a page of another site cannot read it.</summary>
    public string CsrfToken { get; } = csrfToken;

    public DateTimeOffset Created { get; } = created;

    public DateTimeOffset LastSeen { get; set; } = created;
}
