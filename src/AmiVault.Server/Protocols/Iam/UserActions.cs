using AmiVault.Catalog.Iam;
using AmiVault.Iam;
using AmiVault.Protocols.Query;

namespace AmiVault.Protocols.Iam;

/// <summary>CreateUser, GetUser, ListUsers, DeleteUser.</summary>
internal sealed class UserActions(IamDirectory iam, TimeProvider time) : IQueryActionSet
{
    public string Service => "iam";

    public IEnumerable<QueryAction> Actions =>
    [
        new("CreateUser", c => [ResourceArns.User(c.Server, c.AccountId, IamRequests.Name(c, "UserName"))], CreateAsync),
        new("GetUser", c => [ResourceArns.User(c.Server, c.AccountId, c.Optional("UserName") ?? c.Identity.Principal.UserName ?? "*")], GetAsync),
        new("ListUsers", _ => [ResourceArns.Any], ListAsync),
        new("DeleteUser", c => [ResourceArns.User(c.Server, c.AccountId, IamRequests.Name(c, "UserName"))], DeleteAsync),
    ];

    private async Task CreateAsync(QueryCall call)
    {
        IamRequests.RootPathOnly(call);
        var user = new IamUserRecord(call.AccountId, IamRequests.Name(call, "UserName"), IamIds.New(IamIds.User), time.GetUtcNow());
        await IamRequests.ChangeAsync(iam, c => c.CreateUserAsync(user, call.Aborted));
        await call.RespondAsync(x => IamRequests.WriteUser(x.Start("User"), user, call).End());
    }

    private Task GetAsync(QueryCall call)
    {
        var caller = call.Identity.Principal;
        if (call.Optional("UserName") is null && caller.Type == Auth.IamPrincipalType.Root)
        {
            // The root identity answers as a user with the account id for its id, as IAM does.
            return call.RespondAsync(x => x.Start("User").Value("UserId", call.AccountId).Value("Arn", caller.Arn).End());
        }

        var user = IamRequests.ExistingUser(iam, call, IamRequests.UserOrCaller(call));
        return call.RespondAsync(x => IamRequests.WriteUser(x.Start("User"), user, call).End());
    }

    private Task ListAsync(QueryCall call)
    {
        IamRequests.RootPathOnly(call);
        var (page, marker) = call.Page(iam.Current.Contents.Users.Where(u => u.AccountId == call.AccountId), u => u.UserName);
        return call.RespondAsync(x =>
        {
            x.Members("Users", page, (m, u) => IamRequests.WriteUser(m, u, call));
            QueryCall.Paging(x, marker);
        });
    }

    private async Task DeleteAsync(QueryCall call)
    {
        var name = IamRequests.Name(call, "UserName");
        await IamRequests.ChangeAsync(iam, c => c.DeleteUserAsync(call.AccountId, name, call.Aborted));
        await call.RespondAsync();
    }
}
