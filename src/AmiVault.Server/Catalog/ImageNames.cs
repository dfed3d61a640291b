namespace AmiVault.Catalog;

/// <summary>
/// EC2's rule for AMI names: 3–128 characters of letters, digits and ( ) [ ] space . / - ' @ _. The server's EC2
/// actions refuse a name by it, and `import-disk --register` checks a name by it before uploading a whole disk.
/// </summary>
internal static class ImageNames
{
    /// <summary>Why <paramref name="name"/> is not a valid AMI name, or null when it is.</summary>
    public static string? Problem(string name)
    {
        if (name.Length is < 3 or > 128)
        {
            return $"AMI names must be between 3 and 128 characters long: '{Truncate(name)}'.";
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '(' or ')' or '[' or ']' or ' ' or '.' or '/' or '-' or '\'' or '@' or '_'))
            {
                return $"AMI names may only contain letters, numbers and ( ) [ ] space . / - ' @ _; '{Truncate(name)}' has '{c}'.";
            }
        }

        return null;
    }

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
