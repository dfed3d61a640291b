namespace AmiVault.Iam.Policies;

/// <summary>
/// A condition operator as written ("ForAllValues:StringLikeIfExists"): its family, comparison, whether it is the
/// negated form, the IfExists suffix and the set qualifier.
/// </summary>
internal sealed record ConditionOperator(
    string Name,
    ConditionFamily Family,
    ConditionComparison Comparison,
    bool Negated,
    bool IfExists,
    ConditionSet Set)
{
    private static readonly Dictionary<string, (ConditionFamily Family, ConditionComparison Comparison, bool Negated)> Bases = new(StringComparer.Ordinal)
    {
        ["StringEquals"] = (ConditionFamily.String, ConditionComparison.Equals, false),
        ["StringNotEquals"] = (ConditionFamily.String, ConditionComparison.Equals, true),
        ["StringEqualsIgnoreCase"] = (ConditionFamily.StringIgnoreCase, ConditionComparison.Equals, false),
        ["StringNotEqualsIgnoreCase"] = (ConditionFamily.StringIgnoreCase, ConditionComparison.Equals, true),
        ["StringLike"] = (ConditionFamily.StringLike, ConditionComparison.Equals, false),
        ["StringNotLike"] = (ConditionFamily.StringLike, ConditionComparison.Equals, true),
        ["NumericEquals"] = (ConditionFamily.Numeric, ConditionComparison.Equals, false),
        ["NumericNotEquals"] = (ConditionFamily.Numeric, ConditionComparison.Equals, true),
        ["NumericLessThan"] = (ConditionFamily.Numeric, ConditionComparison.LessThan, false),
        ["NumericLessThanEquals"] = (ConditionFamily.Numeric, ConditionComparison.LessThanEquals, false),
        ["NumericGreaterThan"] = (ConditionFamily.Numeric, ConditionComparison.GreaterThan, false),
        ["NumericGreaterThanEquals"] = (ConditionFamily.Numeric, ConditionComparison.GreaterThanEquals, false),
        ["DateEquals"] = (ConditionFamily.Date, ConditionComparison.Equals, false),
        ["DateNotEquals"] = (ConditionFamily.Date, ConditionComparison.Equals, true),
        ["DateLessThan"] = (ConditionFamily.Date, ConditionComparison.LessThan, false),
        ["DateLessThanEquals"] = (ConditionFamily.Date, ConditionComparison.LessThanEquals, false),
        ["DateGreaterThan"] = (ConditionFamily.Date, ConditionComparison.GreaterThan, false),
        ["DateGreaterThanEquals"] = (ConditionFamily.Date, ConditionComparison.GreaterThanEquals, false),
        ["Bool"] = (ConditionFamily.Bool, ConditionComparison.Equals, false),
        ["IpAddress"] = (ConditionFamily.IpAddress, ConditionComparison.Equals, false),
        ["NotIpAddress"] = (ConditionFamily.IpAddress, ConditionComparison.Equals, true),
        ["ArnEquals"] = (ConditionFamily.Arn, ConditionComparison.Equals, false),
        ["ArnLike"] = (ConditionFamily.Arn, ConditionComparison.Equals, false),
        ["ArnNotEquals"] = (ConditionFamily.Arn, ConditionComparison.Equals, true),
        ["ArnNotLike"] = (ConditionFamily.Arn, ConditionComparison.Equals, true),
        ["Null"] = (ConditionFamily.Null, ConditionComparison.Equals, false),
    };

    public static IEnumerable<string> Supported => Bases.Keys;

    /// <summary>Parses an operator name; null when it is not one this server evaluates.</summary>
    public static ConditionOperator? Parse(string name)
    {
        var rest = name;
        var set = ConditionSet.None;
        if (rest.StartsWith("ForAnyValue:", StringComparison.Ordinal))
        {
            set = ConditionSet.ForAnyValue;
            rest = rest["ForAnyValue:".Length..];
        }
        else if (rest.StartsWith("ForAllValues:", StringComparison.Ordinal))
        {
            set = ConditionSet.ForAllValues;
            rest = rest["ForAllValues:".Length..];
        }

        var ifExists = rest.EndsWith("IfExists", StringComparison.Ordinal) && rest != "IfExists";
        if (ifExists)
        {
            rest = rest[..^"IfExists".Length];
        }

        if (!Bases.TryGetValue(rest, out var b) || (b.Family == ConditionFamily.Null && (ifExists || set != ConditionSet.None)))
        {
            return null;
        }

        return new ConditionOperator(name, b.Family, b.Comparison, b.Negated, ifExists, set);
    }
}
