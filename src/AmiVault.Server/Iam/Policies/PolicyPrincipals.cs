namespace AmiVault.Iam.Policies;

/// <summary>
/// The Principal (or NotPrincipal) of a resource or trust policy statement: everyone ("*"), whole accounts (an id or
/// its root ARN, meaning any principal of that account its own policies allow), or named user and role ARNs.
/// </summary>
internal sealed class PolicyPrincipals(bool everyone, IReadOnlySet<string> accounts, IReadOnlySet<string> arns)
{
    public bool Everyone => everyone;

    public IReadOnlySet<string> Accounts => accounts;

    public IReadOnlySet<string> Arns => arns;

    public bool Includes(RequestFacts facts) =>
        everyone
        || accounts.Contains(facts.PrincipalAccount)
        || arns.Contains(facts.PrincipalArn)
        || facts.PrincipalArns.Any(arns.Contains);
}
