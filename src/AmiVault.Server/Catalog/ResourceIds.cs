using System.Security.Cryptography;

namespace AmiVault.Catalog;

/// <summary>Resource ids shaped like AWS's: a prefix and 17 lower-case hex digits (ami-0123456789abcdef0).</summary>
internal static class ResourceIds
{
    public const string Image = "ami";
    public const string Snapshot = "snap";

    public static string New(string prefix) =>
        prefix + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(9))[..17];

    /// <summary>Whether <paramref name="id"/> has the shape of an id with this prefix (8 or 17 hex digits, as AWS accepts).</summary>
    public static bool IsWellFormed(string id, string prefix)
    {
        if (!id.StartsWith(prefix + "-", StringComparison.Ordinal))
        {
            return false;
        }

        var hex = id.AsSpan(prefix.Length + 1);
        return hex.Length is 8 or 17 && !hex.ContainsAnyExcept("0123456789abcdef");
    }
}
