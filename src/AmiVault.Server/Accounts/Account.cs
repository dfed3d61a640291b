namespace AmiVault.Accounts;

/// <summary>An account: its 12-digit id and the one key pair that signs its requests.</summary>
internal sealed record Account(string Id, string AccessKeyId, string SecretAccessKey)
{
    public static bool IsValidId(string id) => id.Length == 12 && id.All(char.IsAsciiDigit);
}
