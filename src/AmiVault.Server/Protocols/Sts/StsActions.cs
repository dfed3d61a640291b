using System.Security.Cryptography;
using System.Text;
using AmiVault.Catalog.Iam;
using AmiVault.Iam;
using AmiVault.Iam.Policies;
using AmiVault.Protocols.Query;

namespace AmiVault.Protocols.Sts;

/// <summary>
/// sts:AssumeRole (temporary credentials for a role whose trust policy names the caller, in this account or
/// another) and sts:GetCallerIdentity (allowed to anyone who can sign, as in AWS).
/// </summary>
internal sealed class StsActions(IamDirectory iam, Authorizer authorizer, TimeProvider time) : IQueryActionSet
{
    public const string Namespace = "https://sts.amazonaws.com/doc/2011-06-15/";

    public string Service => "sts";

    public IEnumerable<QueryAction> Actions =>
    [
        new("AssumeRole", c => [c.Required("RoleArn")], AssumeRoleAsync),
        new("GetCallerIdentity", _ => [], GetCallerIdentityAsync, NeedsNoPermission: true),
    ];

    private async Task AssumeRoleAsync(QueryCall call)
    {
        var roleArn = call.Required("RoleArn");
        var sessionName = call.Required("RoleSessionName");
        if (sessionName.Length is < 2 or > 64 || !sessionName.All(c => char.IsAsciiLetterOrDigit(c) || "+=,.@_-".Contains(c, StringComparison.Ordinal)))
        {
            throw QueryException.Validation($"1 validation error detected: Value '{sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
        }

        var parts = roleArn.Split(':', 6);
        var role = parts is [_, var partition, "iam", "", var accountId, var resource] && partition == call.Server.Partition && resource.StartsWith("role/", StringComparison.Ordinal)
            ? iam.Current.Role(accountId, resource["role/".Length..])
            : null;
        var caller = call.Identity.Principal;
        var trust = role is null ? null : iam.Current.Parse(role.TrustPolicy, PolicyKind.Trust);
        var facts = authorizer.Facts(caller, call.Http.Connection.RemoteIpAddress, call.Http.Request.IsHttps);
        if (role is null || PolicyEvaluator.Evaluate([trust!], "sts:AssumeRole", null, facts) != PolicyDecision.Allow)
        {
            throw new QueryException("AccessDenied", $"{caller.Described} is not authorized to perform: sts:AssumeRole on resource: {roleArn}", 403);
        }

        var duration = call.Int("DurationSeconds", 900, role.MaxSessionDuration) ?? 3600;
        var keyId = IamIds.New(IamIds.TemporaryAccessKey);
        var secret = IamIds.NewSecret();
        var token = IamIds.NewSessionToken();
        var now = time.GetUtcNow();
        var expiration = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds() + duration);
        var session = new StsSessionRecord(keyId, role.AccountId, role.RoleName, role.RoleId, sessionName, iam.Sealer.Seal(keyId, secret),
            SHA256.HashData(Encoding.UTF8.GetBytes(token)), expiration);
        await iam.ChangeAsync(async c =>
        {
            await c.PurgeSessionsAsync(now, call.Aborted);
            await c.CreateSessionAsync(session, call.Aborted);
        });
        var assumed = Auth.IamPrincipal.AssumedRole(call.Server.Partition, role.AccountId, role.RoleName, role.RoleId, sessionName);
        await call.RespondAsync(x =>
        {
            x.Start("Credentials").Value("AccessKeyId", keyId).Value("SecretAccessKey", secret).Value("SessionToken", token).Value("Expiration", expiration).End();
            x.Start("AssumedRoleUser").Value("AssumedRoleId", assumed.UniqueId).Value("Arn", assumed.Arn).End();
        });
    }

    private static Task GetCallerIdentityAsync(QueryCall call)
    {
        var caller = call.Identity.Principal;
        return call.RespondAsync(x => x.Value("UserId", caller.UniqueId).Value("Account", caller.AccountId).Value("Arn", caller.Arn));
    }
}
