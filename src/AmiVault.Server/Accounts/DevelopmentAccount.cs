using System.Security.Cryptography;
using System.Text.Json;

namespace AmiVault.Accounts;

/// <summary>
/// The account a server creates when none is configured, so `amivault serve` works with nothing set up.
/// It is kept in the data folder so the keys survive restarts, and is only allowed on loopback.
/// </summary>
internal static class DevelopmentAccount
{
    private const string FileName = "dev-account.json";

    public static Account LoadOrCreate(string dataDir)
    {
        var path = Path.Combine(dataDir, FileName);
        if (File.Exists(path))
        {
            var existing = JsonSerializer.Deserialize<Account>(File.ReadAllText(path));
            if (existing is not null && Account.IsValidId(existing.Id))
            {
                return existing;
            }
        }

        var account = new Account(
            Id: string.Concat(Enumerable.Range(0, 12).Select(_ => (char)('0' + RandomNumberGenerator.GetInt32(10)))),
            AccessKeyId: "AKIA" + RandomString("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16),
            SecretAccessKey: RandomString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40));
        Directory.CreateDirectory(dataDir);
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(account));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temp, path, overwrite: true);
        return account;
    }

    private static string RandomString(string alphabet, int length) =>
        string.Concat(Enumerable.Range(0, length).Select(_ => alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)]));
}
