namespace AmiVault.Iam.Policies;

/// <summary>
/// Evaluates policies for one action on one resource: any applicable Deny wins, else any applicable Allow, else
/// nothing applies (an implicit deny unless another policy type allows).
/// </summary>
internal static class PolicyEvaluator
{
    public static PolicyDecision Evaluate(IEnumerable<PolicyDocument> policies, string action, string? resource, RequestFacts facts)
    {
        var decision = PolicyDecision.NotApplicable;
        foreach (var policy in policies)
        {
            foreach (var statement in policy.Statements)
            {
                if (!statement.Applies(action, resource, facts))
                {
                    continue;
                }

                if (statement.Effect == PolicyEffect.Deny)
                {
                    return PolicyDecision.ExplicitDeny;
                }

                decision = PolicyDecision.Allow;
            }
        }

        return decision;
    }
}
