using System.Net;
using AmiVault.Auth;
using AmiVault.Configuration;
using AmiVault.Iam.Policies;
using Microsoft.AspNetCore.Http;

namespace AmiVault.Iam;

/// <summary>
/// The one place a request is authorized, whatever its protocol (and the console's actions too): an IAM action on
/// the resources it touches, for a principal, judged by that principal's identity policies. Root keys may do
/// anything in their account; users and role sessions only what a policy allows and none denies, on every resource.
/// </summary>
internal sealed class Authorizer(IamDirectory iam, ServerContext server, TimeProvider time)
{
    /// <summary>Decides without throwing: for callers that answer in their own way (the console, task admission).</summary>
    public AuthorizationResult Check(IamPrincipal principal, string action, IReadOnlyList<string> resources, RequestFacts facts)
    {
        if (principal.Type == IamPrincipalType.Root)
        {
            return AuthorizationResult.Allow;
        }

        var policies = iam.Current.PoliciesOf(principal);
        foreach (var resource in resources.Count == 0 ? [ResourceArns.Any] : resources)
        {
            var decision = PolicyEvaluator.Evaluate(policies, action, resource, facts);
            if (decision != PolicyDecision.Allow)
            {
                return new AuthorizationResult(false, decision, resource, DeniedMessage(principal, action, resource, decision));
            }
        }

        return AuthorizationResult.Allow;
    }

    /// <summary>Authorizes a request in flight; throws <see cref="AccessDeniedException"/> when it is not allowed.</summary>
    public void Demand(RequestIdentity identity, HttpContext http, string action, IReadOnlyList<string> resources, IReadOnlyDictionary<string, string>? resourceTags = null)
    {
        if (identity.Principal.Type == IamPrincipalType.Root)
        {
            return;
        }

        var result = Check(identity.Principal, action, resources, Facts(identity.Principal, http.Connection.RemoteIpAddress, http.Request.IsHttps, identity.Region, resourceTags));
        if (!result.Allowed)
        {
            throw new AccessDeniedException(result.Message!, action, result.DeniedResource!);
        }
    }

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

    private static string DeniedMessage(IamPrincipal principal, string action, string resource, PolicyDecision decision)
    {
        var on = resource == ResourceArns.Any ? "" : $" on resource: {resource}";
        var because = decision == PolicyDecision.ExplicitDeny
            ? "with an explicit deny in an identity-based policy"
            : $"because no identity-based policy allows the {action} action";
        return $"{principal.Described} is not authorized to perform: {action}{on} {because}";
    }
}
