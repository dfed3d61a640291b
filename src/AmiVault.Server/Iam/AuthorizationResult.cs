using AmiVault.Iam.Policies;

namespace AmiVault.Iam;

/// <summary>The answer of <see cref="Authorizer"/>: allowed, or why not and on which resource, in AWS's words.</summary>
internal sealed record AuthorizationResult(bool Allowed, PolicyDecision Decision, string? DeniedResource, string? Message)
{
    public static readonly AuthorizationResult Allow = new(true, PolicyDecision.Allow, null, null);
}
