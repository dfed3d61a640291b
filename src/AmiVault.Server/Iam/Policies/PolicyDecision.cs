namespace AmiVault.Iam.Policies;

/// <summary>The outcome of evaluating policies for one request: an explicit Deny wins over any Allow.</summary>
internal enum PolicyDecision
{
    /// <summary>No statement applies: denied unless something else allows it.</summary>
    NotApplicable,

    Allow,

    ExplicitDeny,
}
