using AmiVault.Configuration;

namespace AmiVault.Accounts;

/// <summary>Decides which accounts a server serves: configured ones, the AMIVAULT_* variables, or a development account.</summary>
internal static class AccountSetup
{
    public static (AccountDirectory Directory, bool Generated) Resolve(AmiVaultOptions options)
    {
        var configured = options.Accounts
            .Where(a => !string.IsNullOrEmpty(a.Id))
            .Select(a => new Account(a.Id, a.AccessKeyId, a.SecretAccessKey))
            .ToList();

        var id = Environment.GetEnvironmentVariable("AMIVAULT_ACCOUNT_ID");
        var key = Environment.GetEnvironmentVariable("AMIVAULT_ACCESS_KEY_ID");
        var secret = Environment.GetEnvironmentVariable("AMIVAULT_SECRET_ACCESS_KEY");
        if (configured.Count == 0 && !string.IsNullOrEmpty(id) && !string.IsNullOrEmpty(key) && !string.IsNullOrEmpty(secret))
        {
            configured.Add(new Account(id, key, secret));
        }

        if (configured.Count > 0)
        {
            return (new AccountDirectory(configured), false);
        }

        return (new AccountDirectory([DevelopmentAccount.LoadOrCreate(options.DataDir)]), true);
    }
}
