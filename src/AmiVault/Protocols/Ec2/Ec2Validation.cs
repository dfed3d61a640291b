namespace AmiVault.Protocols.Ec2;

/// <summary>EC2's rules for names and tags, shared by every action that takes them.</summary>
internal static class Ec2Validation
{
    public const int MaxTagsPerResource = 50;

    public static void TagKeyValue(string key, string value)
    {
        if (key.Length is 0 or > 128)
        {
            throw new Ec2Exception("InvalidParameterValue", $"Tag key '{Truncate(key)}' must be 1 to 128 characters.");
        }

        if (key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
        {
            throw new Ec2Exception("InvalidParameterValue", $"Tag keys starting with 'aws:' are reserved for internal use: '{Truncate(key)}'.");
        }

        if (value.Length > 256)
        {
            throw new Ec2Exception("InvalidParameterValue", $"Tag value for key '{Truncate(key)}' must be at most 256 characters.");
        }
    }

    /// <summary>AMI names: 3–128 characters of letters, digits, ( ) [ ] space . / - ' @ _ (RegisterImage's rule).</summary>
    public static void ImageName(string name)
    {
        if (name.Length is < 3 or > 128)
        {
            throw new Ec2Exception("InvalidAMIName.Malformed", $"AMI names must be between 3 and 128 characters long: '{Truncate(name)}'.");
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '(' or ')' or '[' or ']' or ' ' or '.' or '/' or '-' or '\'' or '@' or '_'))
            {
                throw new Ec2Exception("InvalidAMIName.Malformed",
                    $"AMI names may only contain letters, numbers and ( ) [ ] space . / - ' @ _; '{Truncate(name)}' has '{c}'.");
            }
        }
    }

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
