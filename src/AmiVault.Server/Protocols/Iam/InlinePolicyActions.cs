using AmiVault.Catalog.Iam;
using AmiVault.Iam;
using AmiVault.Iam.Policies;
using AmiVault.Protocols.Query;

namespace AmiVault.Protocols.Iam;

/// <summary>Put/Get/List/Delete{User,Role}Policy: the same four actions for users and for roles.</summary>
internal sealed class InlinePolicyActions(IamDirectory iam) : IQueryActionSet
{
    public string Service => "iam";

    public IEnumerable<QueryAction> Actions => For(IamPrincipalKind.User).Concat(For(IamPrincipalKind.Role));

    private IEnumerable<QueryAction> For(IamPrincipalKind kind)
    {
        var noun = kind.ToString();
        IReadOnlyList<string> Owner(QueryCall c) => [IamRequests.OwnerArn(c, kind)];
        yield return new($"Put{noun}Policy", Owner, c => PutAsync(c, kind));
        yield return new($"Get{noun}Policy", Owner, c => GetAsync(c, kind));
        yield return new($"List{noun}Policies", Owner, c => ListAsync(c, kind));
        yield return new($"Delete{noun}Policy", Owner, c => DeleteAsync(c, kind));
    }

    private async Task PutAsync(QueryCall call, IamPrincipalKind kind)
    {
        var owner = IamRequests.Name(call, IamRequests.OwnerParameter(kind));
        var policyName = IamRequests.Name(call, "PolicyName", 128);
        var limit = kind == IamPrincipalKind.User ? IamRequests.MaxUserInlinePolicy : IamRequests.MaxRoleInlinePolicy;
        var document = IamRequests.Document(call, "PolicyDocument", PolicyKind.Identity, limit, $"{kind.ToString().ToLowerInvariant()} {owner}");
        await IamRequests.ChangeAsync(iam, c => c.PutInlinePolicyAsync(new IamInlinePolicyRecord(call.AccountId, kind, owner, policyName, document), call.Aborted));
        await call.RespondAsync();
    }

    private Task GetAsync(QueryCall call, IamPrincipalKind kind)
    {
        var owner = IamRequests.Name(call, IamRequests.OwnerParameter(kind));
        var policyName = IamRequests.Name(call, "PolicyName", 128);
        var policy = iam.Current.InlinePolicies(call.AccountId, kind, owner).FirstOrDefault(p => string.Equals(p.PolicyName, policyName, StringComparison.OrdinalIgnoreCase))
            ?? throw QueryException.NoSuchEntity($"The {kind.ToString().ToLowerInvariant()} policy with name {policyName} cannot be found.");
        return call.RespondAsync(x => x.Value(IamRequests.OwnerParameter(kind), policy.PrincipalName).Value("PolicyName", policy.PolicyName).Document("PolicyDocument", policy.Document));
    }

    private Task ListAsync(QueryCall call, IamPrincipalKind kind)
    {
        var owner = IamRequests.Name(call, IamRequests.OwnerParameter(kind));
        IamRequests.RequireOwner(iam, call, kind, owner);
        var (page, marker) = call.Page(iam.Current.InlinePolicies(call.AccountId, kind, owner), p => p.PolicyName);
        return call.RespondAsync(x =>
        {
            x.Strings("PolicyNames", page.Select(p => p.PolicyName));
            QueryCall.Paging(x, marker);
        });
    }

    private async Task DeleteAsync(QueryCall call, IamPrincipalKind kind)
    {
        var owner = IamRequests.Name(call, IamRequests.OwnerParameter(kind));
        var policyName = IamRequests.Name(call, "PolicyName", 128);
        await IamRequests.ChangeAsync(iam, c => c.DeleteInlinePolicyAsync(call.AccountId, kind, owner, policyName, call.Aborted));
        await call.RespondAsync();
    }
}
