namespace AmiVault.Iam.Policies;

/// <summary>A parsed, validated policy: what <see cref="PolicyParser"/> accepted, ready to evaluate.</summary>
internal sealed class PolicyDocument(string version, PolicyKind kind, IReadOnlyList<PolicyStatement> statements)
{
    public const string CurrentVersion = "2012-10-17";

    public string Version => version;

    public PolicyKind Kind => kind;

    public IReadOnlyList<PolicyStatement> Statements => statements;

    /// <summary>
    /// Whether an Allow statement grants to everyone ("*") without a condition that pins who may use it (their
    /// account, ARN or source address), which would make a bucket public; such bucket policies are refused.
    /// </summary>
    public bool IsPublic => statements.Any(s =>
        s.Effect == PolicyEffect.Allow
        && (s.NotPrincipal || (s.Principals?.Everyone ?? false))
        && !s.Conditions.Any(PinsCaller));

    private static bool PinsCaller(PolicyCondition condition) =>
        !condition.Operator.Negated
        && !condition.Operator.IfExists
        && condition.Operator.Family is ConditionFamily.String or ConditionFamily.Arn or ConditionFamily.IpAddress
        && condition.Key.ToLowerInvariant() is "aws:principalaccount" or "aws:principalarn" or "aws:sourceip" or "aws:userid"
        && !condition.Values.Any(v => v.Contains('*', StringComparison.Ordinal) || v is "0.0.0.0/0" or "::/0");
}
