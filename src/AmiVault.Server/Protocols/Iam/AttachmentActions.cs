using AmiVault.Catalog.Iam;
using AmiVault.Iam;
using AmiVault.Protocols.Query;

namespace AmiVault.Protocols.Iam;

/// <summary>Attach/Detach/ListAttached{User,Role}Policies: the same three actions for users and for roles.</summary>
internal sealed class AttachmentActions(IamDirectory iam) : IQueryActionSet
{
    public string Service => "iam";

    public IEnumerable<QueryAction> Actions => For(IamPrincipalKind.User).Concat(For(IamPrincipalKind.Role));

    private IEnumerable<QueryAction> For(IamPrincipalKind kind)
    {
        var noun = kind.ToString();
        IReadOnlyList<string> Owner(QueryCall c) => [IamRequests.OwnerArn(c, kind)];
        yield return new($"Attach{noun}Policy", Owner, c => ChangeAsync(c, kind, attach: true));
        yield return new($"Detach{noun}Policy", Owner, c => ChangeAsync(c, kind, attach: false));
        yield return new($"ListAttached{noun}Policies", Owner, c => ListAsync(c, kind));
    }

    private async Task ChangeAsync(QueryCall call, IamPrincipalKind kind, bool attach)
    {
        var attachment = new IamAttachmentRecord(call.AccountId, kind, IamRequests.Name(call, IamRequests.OwnerParameter(kind)), IamRequests.PolicyName(call));
        await IamRequests.ChangeAsync(iam, c => attach ? c.AttachAsync(attachment, call.Aborted) : c.DetachAsync(attachment, call.Aborted));
        await call.RespondAsync();
    }

    private Task ListAsync(QueryCall call, IamPrincipalKind kind)
    {
        var owner = IamRequests.Name(call, IamRequests.OwnerParameter(kind));
        IamRequests.RequireOwner(iam, call, kind, owner);
        var (page, marker) = call.Page(iam.Current.Attachments(call.AccountId, kind, owner), a => a.PolicyName);
        return call.RespondAsync(x =>
        {
            x.Members("AttachedPolicies", page, (m, a) => m
                .Value("PolicyName", iam.Current.Policy(call.AccountId, a.PolicyName)?.PolicyName ?? a.PolicyName)
                .Value("PolicyArn", ResourceArns.Policy(call.Server, call.AccountId, iam.Current.Policy(call.AccountId, a.PolicyName)?.PolicyName ?? a.PolicyName)));
            QueryCall.Paging(x, marker);
        });
    }
}
