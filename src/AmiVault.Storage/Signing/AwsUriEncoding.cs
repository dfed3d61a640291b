using System.Text;

namespace AmiVault.Signing;

/// <summary>The percent-encoding SigV4 canonical requests use: RFC 3986 unreserved characters stay, all else is %XX.</summary>
internal static class AwsUriEncoding
{
    public static string Encode(string value, bool keepSlash)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        var builder = new StringBuilder(bytes.Length + 8);
        foreach (var b in bytes)
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' || (keepSlash && c == '/'))
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    /// <summary>Percent-decoding that leaves '+' alone: SigV4 clients encode a space as %20, never '+'.</summary>
    public static string Decode(string value) => Uri.UnescapeDataString(value);
}
