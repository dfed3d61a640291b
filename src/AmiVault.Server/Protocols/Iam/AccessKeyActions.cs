using AmiVault.Catalog.Iam;
using AmiVault.Iam;
using AmiVault.Protocols.Query;

namespace AmiVault.Protocols.Iam;

/// <summary>CreateAccessKey, ListAccessKeys, UpdateAccessKey (Active/Inactive), DeleteAccessKey: at most two per user.</summary>
internal sealed class AccessKeyActions(IamDirectory iam, TimeProvider time) : IQueryActionSet
{
    public const int MaxKeysPerUser = 2;

    public string Service => "iam";

    public IEnumerable<QueryAction> Actions =>
    [
        new("CreateAccessKey", UserResource, CreateAsync),
        new("ListAccessKeys", UserResource, ListAsync),
        new("UpdateAccessKey", UserResource, UpdateAsync),
        new("DeleteAccessKey", UserResource, DeleteAsync),
    ];

    private static IReadOnlyList<string> UserResource(QueryCall call) => [ResourceArns.User(call.Server, call.AccountId, IamRequests.UserOrCaller(call))];

    private async Task CreateAsync(QueryCall call)
    {
        var user = IamRequests.ExistingUser(iam, call, IamRequests.UserOrCaller(call));
        var id = IamIds.New(IamIds.AccessKey);
        var secret = IamIds.NewSecret();
        var key = new IamAccessKeyRecord(id, call.AccountId, user.UserName, iam.Sealer.Seal(id, secret), Active: true, time.GetUtcNow());
        await IamRequests.ChangeAsync(iam, c => c.CreateAccessKeyAsync(key, MaxKeysPerUser, call.Aborted));
        await call.RespondAsync(x => x.Start("AccessKey")
            .Value("UserName", user.UserName).Value("AccessKeyId", id).Value("Status", "Active")
            .Value("SecretAccessKey", secret).Value("CreateDate", key.CreateDate).End());
    }

    private Task ListAsync(QueryCall call)
    {
        var user = IamRequests.ExistingUser(iam, call, IamRequests.UserOrCaller(call));
        var keys = iam.Current.Contents.AccessKeys.Where(k => k.AccountId == call.AccountId && string.Equals(k.UserName, user.UserName, StringComparison.OrdinalIgnoreCase));
        var (page, marker) = call.Page(keys, k => k.AccessKeyId);
        return call.RespondAsync(x =>
        {
            x.Members("AccessKeyMetadata", page, (m, k) => m
                .Value("UserName", user.UserName).Value("AccessKeyId", k.AccessKeyId).Value("Status", k.Active ? "Active" : "Inactive").Value("CreateDate", k.CreateDate));
            QueryCall.Paging(x, marker);
        });
    }

    private async Task UpdateAsync(QueryCall call)
    {
        var user = IamRequests.UserOrCaller(call);
        var id = call.Required("AccessKeyId");
        var active = call.Required("Status") switch
        {
            "Active" => true,
            "Inactive" => false,
            var other => throw QueryException.Validation($"1 validation error detected: Value '{other}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]"),
        };
        await IamRequests.ChangeAsync(iam, c => c.SetAccessKeyActiveAsync(call.AccountId, user, id, active, call.Aborted));
        await call.RespondAsync();
    }

    private async Task DeleteAsync(QueryCall call)
    {
        var user = IamRequests.UserOrCaller(call);
        var id = call.Required("AccessKeyId");
        await IamRequests.ChangeAsync(iam, c => c.DeleteAccessKeyAsync(call.AccountId, user, id, call.Aborted));
        await call.RespondAsync();
    }
}
