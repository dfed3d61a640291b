using AmiVault.Catalog.Iam;
using AmiVault.Iam;
using AmiVault.Iam.Policies;
using AmiVault.Protocols.Query;

namespace AmiVault.Protocols.Iam;

/// <summary>CreateRole, GetRole, ListRoles, DeleteRole, UpdateAssumeRolePolicy: roles and who may assume them.</summary>
internal sealed class RoleActions(IamDirectory iam, TimeProvider time) : IQueryActionSet
{
    public string Service => "iam";

    public IEnumerable<QueryAction> Actions =>
    [
        new("CreateRole", RoleResource, CreateAsync),
        new("GetRole", RoleResource, GetAsync),
        new("ListRoles", _ => [ResourceArns.Any], ListAsync),
        new("DeleteRole", RoleResource, DeleteAsync),
        new("UpdateAssumeRolePolicy", RoleResource, UpdateTrustAsync),
    ];

    private static IReadOnlyList<string> RoleResource(QueryCall call) => [ResourceArns.Role(call.Server, call.AccountId, IamRequests.Name(call, "RoleName"))];

    private async Task CreateAsync(QueryCall call)
    {
        IamRequests.RootPathOnly(call);
        var name = IamRequests.Name(call, "RoleName");
        var trust = IamRequests.Document(call, "AssumeRolePolicyDocument", PolicyKind.Trust, IamRequests.MaxTrustPolicy, $"role {name}");
        var maxSession = call.Int("MaxSessionDuration", 3600, 43200) ?? 3600;
        var role = new IamRoleRecord(call.AccountId, name, IamIds.New(IamIds.Role), trust, maxSession, call.Optional("Description") ?? "", time.GetUtcNow());
        await IamRequests.ChangeAsync(iam, c => c.CreateRoleAsync(role, call.Aborted));
        await call.RespondAsync(x => IamRequests.WriteRole(x.Start("Role"), role, call).End());
    }

    private Task GetAsync(QueryCall call)
    {
        var role = IamRequests.ExistingRole(iam, call, IamRequests.Name(call, "RoleName"));
        return call.RespondAsync(x => IamRequests.WriteRole(x.Start("Role"), role, call).End());
    }

    private Task ListAsync(QueryCall call)
    {
        IamRequests.RootPathOnly(call);
        var (page, marker) = call.Page(iam.Current.Contents.Roles.Where(r => r.AccountId == call.AccountId), r => r.RoleName);
        return call.RespondAsync(x =>
        {
            x.Members("Roles", page, (m, r) => IamRequests.WriteRole(m, r, call));
            QueryCall.Paging(x, marker);
        });
    }

    private async Task DeleteAsync(QueryCall call)
    {
        var name = IamRequests.Name(call, "RoleName");
        await IamRequests.ChangeAsync(iam, c => c.DeleteRoleAsync(call.AccountId, name, call.Aborted));
        await call.RespondAsync();
    }

    private async Task UpdateTrustAsync(QueryCall call)
    {
        var name = IamRequests.Name(call, "RoleName");
        var trust = IamRequests.Document(call, "PolicyDocument", PolicyKind.Trust, IamRequests.MaxTrustPolicy, $"role {name}");
        await IamRequests.ChangeAsync(iam, c => c.UpdateTrustPolicyAsync(call.AccountId, name, trust, call.Aborted));
        await call.RespondAsync();
    }
}
