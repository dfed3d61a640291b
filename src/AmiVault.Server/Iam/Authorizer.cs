using System.Net;
using AmiVault.Auth;
using AmiVault.Configuration;
using AmiVault.Iam.Policies;
using Microsoft.AspNetCore.Http;

namespace AmiVault.Iam;

/// <summary>
/// The one place a request is authorized, whatever its protocol (and the console's actions and running tasks too):
/// an IAM action on the resources it touches, for a principal, judged by that principal's identity policies and, for
/// a bucket or its objects, the bucket's policy. Root keys may do anything in their account; users and role sessions
/// what an identity policy allows. A bucket policy can also allow (same account: either kind of policy suffices) and
/// is required across accounts (the caller's own side must allow too); an explicit Deny in either always wins.
/// </summary>
internal sealed class Authorizer(IamDirectory iam, ServerContext server, TimeProvider time)
{
    /// <summary>Decides without throwing: for callers that answer in their own way (the console, task admission).</summary>
    public AuthorizationResult Check(IamPrincipal principal, string action, IReadOnlyList<string> resources, RequestFacts facts)
    {
        var snapshot = iam.Current;
        if (principal.Type == IamPrincipalType.Root && !resources.Any(r => ResourceArns.BucketOf(r) is { } b && snapshot.BucketPolicy(b) is not null))
        {
            return AuthorizationResult.Allow;
        }

        var policies = principal.Type == IamPrincipalType.Root ? [] : snapshot.PoliciesOf(principal);
        foreach (var resource in resources.Count == 0 ? [ResourceArns.Any] : resources)
        {
            var identity = principal.Type == IamPrincipalType.Root ? PolicyDecision.Allow : PolicyEvaluator.Evaluate(policies, action, resource, facts);
            var bucketPolicy = ResourceArns.BucketOf(resource) is { } bucket ? snapshot.BucketPolicy(bucket) : null;
            var resourceDecision = bucketPolicy is { } bp ? PolicyEvaluator.Evaluate([bp.Document], action, resource, facts) : PolicyDecision.NotApplicable;
            var crossAccount = bucketPolicy is { } owned && owned.OwnerId != principal.AccountId;
            var message = (identity, resourceDecision, crossAccount) switch
            {
                (PolicyDecision.ExplicitDeny, _, _) => DeniedMessage(principal, action, resource, "with an explicit deny in an identity-based policy"),
                (_, PolicyDecision.ExplicitDeny, _) => DeniedMessage(principal, action, resource, "with an explicit deny in a resource-based policy"),
                (PolicyDecision.Allow, PolicyDecision.Allow, _) => null,
                (PolicyDecision.Allow, _, false) => null,
                (_, PolicyDecision.Allow, false) => null,
                (PolicyDecision.Allow, _, true) => DeniedMessage(principal, action, resource, $"because no resource-based policy allows the {action} action"),
                _ => DeniedMessage(principal, action, resource, $"because no identity-based policy allows the {action} action"),
            };
            if (message is not null)
            {
                return new AuthorizationResult(false, identity == PolicyDecision.ExplicitDeny || resourceDecision == PolicyDecision.ExplicitDeny ? PolicyDecision.ExplicitDeny : PolicyDecision.NotApplicable, resource, message);
            }
        }

        return AuthorizationResult.Allow;
    }

    /// <summary>Authorizes a request in flight; throws <see cref="AccessDeniedException"/> when it is not allowed.</summary>
    public void Demand(RequestIdentity identity, HttpContext http, string action, IReadOnlyList<string> resources, IReadOnlyDictionary<string, string>? resourceTags = null)
    {
        var result = Check(identity.Principal, action, resources, Facts(identity.Principal, http.Connection.RemoteIpAddress, http.Request.IsHttps, identity.Region, resourceTags));
        if (!result.Allowed)
        {
            throw new AccessDeniedException(result.Message!, action, result.DeniedResource!);
        }
    }

    /// <summary>
    /// The account whose buckets <paramref name="bucket"/> is among when a bucket policy names it (its owner put it), else
    /// null: the caller's own view of the store then decides. Only consulted after <see cref="Check"/> allowed the
    /// request, which across accounts needs that policy's Allow.
    /// </summary>
    public string? BucketOwner(string bucket) => iam.Current.BucketPolicy(bucket)?.OwnerId;

    /// <summary>What conditions may ask about a request from <paramref name="principal"/>.</summary>
    public RequestFacts Facts(IamPrincipal principal, IPAddress? sourceIp, bool secure, string? requestedRegion = null, IReadOnlyDictionary<string, string>? resourceTags = null) => new()
    {
        PrincipalArn = principal.Arn,
        PrincipalArns = principal.RoleArn is null ? [principal.Arn] : [principal.Arn, principal.RoleArn],
        PrincipalAccount = principal.AccountId,
        PrincipalType = principal.TypeName,
        UserName = principal.UserName,
        UserId = principal.UniqueId,
        SourceIp = sourceIp is { IsIPv4MappedToIPv6: true } ? sourceIp.MapToIPv4() : sourceIp,
        RequestedRegion = requestedRegion ?? server.Region,
        CurrentTime = time.GetUtcNow(),
        SecureTransport = secure,
        ResourceTags = resourceTags,
    };

    private static string DeniedMessage(IamPrincipal principal, string action, string resource, string because)
    {
        var on = resource == ResourceArns.Any ? "" : $" on resource: {resource}";
        return $"{principal.Described} is not authorized to perform: {action}{on} {because}";
    }
}
