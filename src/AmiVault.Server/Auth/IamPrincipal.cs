namespace AmiVault.Auth;

/// <summary>
/// Who signed a request, as IAM names it: an account's root keys, an IAM user, or a session of an assumed role.
/// <see cref="Arn"/> is what AccessDenied messages and aws:PrincipalArn show.
/// </summary>
internal sealed record IamPrincipal(
    string AccountId,
    IamPrincipalType Type,
    string Arn,
    string UniqueId,
    string? UserName = null,
    string? RoleName = null,
    string? RoleArn = null,
    string? SessionName = null)
{
    public static IamPrincipal Root(string partition, string accountId) =>
        new(accountId, IamPrincipalType.Root, $"arn:{partition}:iam::{accountId}:root", accountId);

    public static IamPrincipal User(string partition, string accountId, string userName, string userId) =>
        new(accountId, IamPrincipalType.User, $"arn:{partition}:iam::{accountId}:user/{userName}", userId, UserName: userName);

    public static IamPrincipal AssumedRole(string partition, string accountId, string roleName, string roleId, string sessionName) =>
        new(accountId, IamPrincipalType.AssumedRole, $"arn:{partition}:sts::{accountId}:assumed-role/{roleName}/{sessionName}",
            roleId + ":" + sessionName, RoleName: roleName, RoleArn: $"arn:{partition}:iam::{accountId}:role/{roleName}", SessionName: sessionName);

    /// <summary>
    /// The principal an ARN names (a root, user or assumed-role ARN), for work done later on its behalf (tasks); its
    /// unique id is not in the ARN and stays empty. Null for anything else.
    /// </summary>
    public static IamPrincipal? FromArn(string arn)
    {
        var parts = arn.Split(':', 6);
        if (parts is not ["arn", var partition, "iam" or "sts", "", var account, var resource])
        {
            return null;
        }

        var path = resource.Split('/');
        return (parts[2], path) switch
        {
            ("iam", ["root"]) => Root(partition, account),
            ("iam", ["user", var user]) => new(account, IamPrincipalType.User, arn, "", UserName: user),
            ("sts", ["assumed-role", var role, var session]) => AssumedRole(partition, account, role, "", session) with { UniqueId = "" },
            _ => null,
        };
    }

    /// <summary>aws:PrincipalType's value.</summary>
    public string TypeName => Type switch
    {
        IamPrincipalType.Root => "Account",
        IamPrincipalType.User => "User",
        _ => "AssumedRole",
    };

    /// <summary>How AccessDenied messages name the caller ("User: arn:…").</summary>
    public string Described => $"User: {Arn}";
}
