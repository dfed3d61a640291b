using AmiVault.Catalog;

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

    /// <summary>Refuses tags that would leave <paramref name="resourceId"/> with more than 50 distinct keys (TagLimitExceeded).</summary>
    public static void TagCount(string resourceId, IEnumerable<string> existingKeys, IEnumerable<KeyValuePair<string, string>> added)
    {
        var keys = existingKeys.ToHashSet(StringComparer.Ordinal);
        keys.UnionWith(added.Select(t => t.Key));
        if (keys.Count > MaxTagsPerResource)
        {
            throw new Ec2Exception("TagLimitExceeded",
                $"The maximum number of tags per resource is {MaxTagsPerResource}; {resourceId} would have {keys.Count}.");
        }
    }

    /// <summary>A free-text member with EC2's length limit (Description: 255).</summary>
    public static void MaxLength(string parameter, string? value, int max)
    {
        if (value is not null && value.Length > max)
        {
            throw Ec2Exception.InvalidValue(parameter, Truncate(value), $"It must be at most {max} characters.");
        }
    }

    /// <summary>
    /// Values of Owner.N, ExecutableBy.N, RestorableBy.N: a 12-digit account id or one of <paramref name="aliases"/>
    /// (self, amazon, all…); anything else is InvalidUserID.Malformed, as EC2 answers.
    /// </summary>
    public static void AccountReference(string value, params string[] aliases)
    {
        if (!(value.Length == 12 && value.All(char.IsAsciiDigit)) && !aliases.Contains(value, StringComparer.Ordinal))
        {
            throw new Ec2Exception("InvalidUserID.Malformed", $"Invalid user id: \"{Truncate(value)}\"");
        }
    }

    /// <summary>AMI names: RegisterImage's rule (<see cref="ImageNames"/>).</summary>
    public static void ImageName(string name)
    {
        if (ImageNames.Problem(name) is { } problem)
        {
            throw new Ec2Exception("InvalidAMIName.Malformed", problem);
        }
    }

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
