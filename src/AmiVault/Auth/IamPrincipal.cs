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
