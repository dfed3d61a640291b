namespace AmiVault.Accounts;

/// <summary>Looks accounts up by access key id; immutable once the server starts.</summary>
internal sealed class AccountDirectory
{
    private readonly Dictionary<string, Account> _byAccessKey;

    public AccountDirectory(IEnumerable<Account> accounts)
    {
        _byAccessKey = new Dictionary<string, Account>(StringComparer.Ordinal);
        foreach (var account in accounts)
        {
            if (!Account.IsValidId(account.Id))
            {
                throw new ArgumentException($"Account id '{account.Id}' is not 12 digits.");
            }

            if (string.IsNullOrEmpty(account.AccessKeyId) || string.IsNullOrEmpty(account.SecretAccessKey))
            {
                throw new ArgumentException($"Account {account.Id} needs an access key id and a secret access key.");
            }

            if (!_byAccessKey.TryAdd(account.AccessKeyId, account))
            {
                throw new ArgumentException($"Access key id '{account.AccessKeyId}' is configured twice.");
            }
        }
    }

    public IReadOnlyCollection<Account> All => _byAccessKey.Values;

    public Account? FindByAccessKey(string accessKeyId) => _byAccessKey.GetValueOrDefault(accessKeyId);
}
