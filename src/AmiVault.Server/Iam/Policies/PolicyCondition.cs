using System.Globalization;
using System.Net;

namespace AmiVault.Iam.Policies;

/// <summary>
/// One operator/key pair of a Condition block with its values (any one of which may match). Typed values are
/// parsed when the policy is put, so a policy with a bad date or CIDR is refused then, not ignored later.
/// </summary>
internal sealed class PolicyCondition
{
    private readonly decimal[] _numbers = [];
    private readonly DateTimeOffset[] _dates = [];
    private readonly IPNetwork[] _networks = [];
    private readonly bool _variables;

    public PolicyCondition(ConditionOperator op, string key, IReadOnlyList<string> values, bool variablesAllowed)
    {
        Operator = op;
        Key = key;
        Values = values;
        switch (op.Family)
        {
            case ConditionFamily.Numeric:
                _numbers = [.. values.Select(v => ParseNumber(v) ?? throw Bad(op, key, v))];
                break;
            case ConditionFamily.Date:
                _dates = [.. values.Select(v => ParseDate(v) ?? throw Bad(op, key, v))];
                break;
            case ConditionFamily.IpAddress:
                _networks = [.. values.Select(v => ParseNetwork(v) ?? throw Bad(op, key, v))];
                break;
            case ConditionFamily.Bool or ConditionFamily.Null:
                if (values.Any(v => !bool.TryParse(v, out _)))
                {
                    throw new MalformedPolicyException($"{op.Name} on {key} takes \"true\" or \"false\".");
                }

                break;
            default:
                if (variablesAllowed && values.Any(PolicyVariables.Contains))
                {
                    foreach (var value in values)
                    {
                        PolicyVariables.Validate(value);
                    }

                    _variables = true;
                }

                break;
        }
    }

    public ConditionOperator Operator { get; }

    public string Key { get; }

    public IReadOnlyList<string> Values { get; }

    public bool Holds(RequestFacts facts)
    {
        var actual = facts.Values(Key);
        var present = actual is { Count: > 0 };
        if (Operator.Family == ConditionFamily.Null)
        {
            // "Null": true asks that the key be absent; any value but "true" asks that it be present.
            return Values.Any(v => bool.Parse(v) != present);
        }

        if (!present)
        {
            return Operator.IfExists || Operator.Set == ConditionSet.ForAllValues || (Operator.Negated && Operator.Set == ConditionSet.None);
        }

        var values = _variables ? [.. Values.Select(v => PolicyVariables.Expand(v, facts)).OfType<string>()] : Values;
        return Operator.Set switch
        {
            ConditionSet.ForAllValues => actual!.All(r => MatchesOne(r, values) != Operator.Negated),
            ConditionSet.ForAnyValue => actual!.Any(r => MatchesOne(r, values) != Operator.Negated),
            _ => actual!.Any(r => MatchesOne(r, values)) != Operator.Negated,
        };
    }

    private bool MatchesOne(string actual, IReadOnlyList<string> values)
    {
        switch (Operator.Family)
        {
            case ConditionFamily.String:
                return values.Any(v => string.Equals(v, actual, StringComparison.Ordinal));
            case ConditionFamily.StringIgnoreCase:
                return values.Any(v => string.Equals(v, actual, StringComparison.OrdinalIgnoreCase));
            case ConditionFamily.StringLike:
                return values.Any(v => IamWildcard.Matches(v, actual, ignoreCase: false));
            case ConditionFamily.Bool:
                return values.Any(v => string.Equals(v, actual, StringComparison.OrdinalIgnoreCase));
            case ConditionFamily.Arn:
                return values.Any(v => Arn.Matches(v, actual));
            case ConditionFamily.Numeric:
                return ParseNumber(actual) is { } number && _numbers.Any(n => Compare(number.CompareTo(n)));
            case ConditionFamily.Date:
                return ParseDate(actual) is { } date && _dates.Any(d => Compare(date.CompareTo(d)));
            case ConditionFamily.IpAddress:
                return IPAddress.TryParse(actual, out var address) && _networks.Any(n => n.Contains(address));
            default:
                return false;
        }
    }

    private bool Compare(int order) => Operator.Comparison switch
    {
        ConditionComparison.Equals => order == 0,
        ConditionComparison.LessThan => order < 0,
        ConditionComparison.LessThanEquals => order <= 0,
        ConditionComparison.GreaterThan => order > 0,
        _ => order >= 0,
    };

    private static decimal? ParseNumber(string text) =>
        decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static DateTimeOffset? ParseDate(string text)
    {
        if (text.Length > 0 && text.All(char.IsAsciiDigit))
        {
            return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var epoch) && epoch < 253402300800
                ? DateTimeOffset.FromUnixTimeSeconds(epoch)
                : null;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date)
            ? date
            : null;
    }

    private static IPNetwork? ParseNetwork(string text)
    {
        if (IPNetwork.TryParse(text, out var network))
        {
            return network;
        }

        return IPAddress.TryParse(text, out var address)
            ? new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)
            : null;
    }

    private static MalformedPolicyException Bad(ConditionOperator op, string key, string value) =>
        new($"'{value}' is not a valid value for {op.Name} on {key}.");
}
