namespace AmiVault.Iam.Policies;

/// <summary>One statement: whether it applies to an action on a resource for a request, and its effect if so.</summary>
internal sealed class PolicyStatement
{
    public string? Sid { get; init; }

    public required PolicyEffect Effect { get; init; }

    public required IReadOnlyList<string> Actions { get; init; }

    public bool NotAction { get; init; }

    /// <summary>Null in trust policies, which have no Resource element.</summary>
    public IReadOnlyList<string>? Resources { get; init; }

    public bool NotResource { get; init; }

    /// <summary>Null in identity policies, which have no Principal element.</summary>
    public PolicyPrincipals? Principals { get; init; }

    public bool NotPrincipal { get; init; }

    public IReadOnlyList<PolicyCondition> Conditions { get; init; } = [];

    /// <summary>Whether Resource values hold policy variables to expand per request.</summary>
    public bool ResourceVariables { get; init; }

    public bool Applies(string action, string? resource, RequestFacts facts)
    {
        if (Actions.Any(a => IamWildcard.Matches(a, action, ignoreCase: true)) == NotAction)
        {
            return false;
        }

        if (Resources is not null && resource is not null && MatchesResource(resource, facts) == NotResource)
        {
            return false;
        }

        if (Principals is not null && Principals.Includes(facts) == NotPrincipal)
        {
            return false;
        }

        foreach (var condition in Conditions)
        {
            if (!condition.Holds(facts))
            {
                return false;
            }
        }

        return true;
    }

    private bool MatchesResource(string resource, RequestFacts facts)
    {
        foreach (var pattern in Resources!)
        {
            var expanded = ResourceVariables ? PolicyVariables.Expand(pattern, facts) : pattern;
            if (expanded is not null && IamWildcard.Matches(expanded, resource, ignoreCase: false))
            {
                return true;
            }
        }

        return false;
    }
}
