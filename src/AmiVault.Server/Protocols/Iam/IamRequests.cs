using AmiVault.Catalog.Iam;
using AmiVault.Iam;
using AmiVault.Iam.Policies;
using AmiVault.Protocols.Query;

namespace AmiVault.Protocols.Iam;

/// <summary>What IAM actions share: name and document checks as IAM makes them, and catalog refusals as IAM errors.</summary>
internal static class IamRequests
{
    public const string Namespace = "https://iam.amazonaws.com/doc/2010-05-08/";

    /// <summary>IAM's limits on policy sizes, counted without white space as IAM counts them.</summary>
    public const int MaxUserInlinePolicy = 2048;
    public const int MaxRoleInlinePolicy = 10240;
    public const int MaxManagedPolicy = 6144;
    public const int MaxTrustPolicy = 2048;

    /// <summary>A user, role or policy name: 1 to <paramref name="max"/> of letters, digits and +=,.@_-.</summary>
    public static string Name(QueryCall call, string parameter, int max = 64)
    {
        var name = call.Required(parameter);
        if (name.Length > max || !name.All(c => char.IsAsciiLetterOrDigit(c) || "+=,.@_-".Contains(c, StringComparison.Ordinal)))
        {
            throw QueryException.Validation($"1 validation error detected: Value '{name}' at '{parameter}' failed to satisfy constraint: Member must have length less than or equal to {max} and match the pattern [\\w+=,.@-]+");
        }

        return name;
    }

    /// <summary>Paths other than "/" are not kept; refusing them says so instead of dropping them.</summary>
    public static void RootPathOnly(QueryCall call)
    {
        if (call.Optional("Path") is { } path && path != "/")
        {
            throw QueryException.Validation($"Path '{path}' is not supported: only '/' is.");
        }
    }

    public static string Document(QueryCall call, string parameter, PolicyKind kind, int maxLength, string owner)
    {
        var text = call.Required(parameter);
        if (text.Count(c => !char.IsWhiteSpace(c)) > maxLength)
        {
            throw new QueryException("LimitExceeded", $"Maximum policy size of {maxLength} bytes exceeded for {owner}.", 409);
        }

        try
        {
            PolicyParser.Parse(text, kind);
        }
        catch (MalformedPolicyException e)
        {
            throw new QueryException("MalformedPolicyDocument", e.Message);
        }

        return text;
    }

    /// <summary>A managed policy of the caller's account by its ARN (AWS managed policies do not exist here).</summary>
    public static string PolicyName(QueryCall call)
    {
        var arn = call.Required("PolicyArn");
        var prefix = $"arn:{call.Server.Partition}:iam::{call.AccountId}:policy/";
        return arn.StartsWith(prefix, StringComparison.Ordinal) && arn.Length > prefix.Length && !arn[prefix.Length..].Contains('/', StringComparison.Ordinal)
            ? arn[prefix.Length..]
            : throw QueryException.NoSuchEntity($"Policy {arn} does not exist or is not attachable.");
    }

    /// <summary>The named user, or with no UserName the calling user, as IAM's user-scoped actions default.</summary>
    public static string UserOrCaller(QueryCall call) =>
        call.Optional("UserName") is { Length: > 0 }
            ? Name(call, "UserName")
            : call.Identity.Principal.UserName ?? throw QueryException.Validation("Must specify userName when calling with non-User credentials");

    public static async Task ChangeAsync(IamDirectory iam, Func<IIamCatalog, Task> change)
    {
        try
        {
            await iam.ChangeAsync(change);
        }
        catch (IamConflictException e)
        {
            throw Translate(e);
        }
    }

    public static async Task<T> ChangeAsync<T>(IamDirectory iam, Func<IIamCatalog, Task<T>> change)
    {
        try
        {
            return await iam.ChangeAsync(change);
        }
        catch (IamConflictException e)
        {
            throw Translate(e);
        }
    }

    public static QueryXml WriteUser(QueryXml xml, IamUserRecord user, QueryCall call) =>
        xml.Value("Path", "/").Value("UserName", user.UserName).Value("UserId", user.UserId)
            .Value("Arn", ResourceArns.User(call.Server, user.AccountId, user.UserName)).Value("CreateDate", user.CreateDate);

    public static QueryXml WriteRole(QueryXml xml, IamRoleRecord role, QueryCall call) =>
        xml.Value("Path", "/").Value("RoleName", role.RoleName).Value("RoleId", role.RoleId)
            .Value("Arn", ResourceArns.Role(call.Server, role.AccountId, role.RoleName)).Value("CreateDate", role.CreateDate)
            .Document("AssumeRolePolicyDocument", role.TrustPolicy).Value("Description", role.Description.Length == 0 ? null : role.Description)
            .Value("MaxSessionDuration", role.MaxSessionDuration);

    public static IamUserRecord ExistingUser(IamDirectory iam, QueryCall call, string name) =>
        iam.Current.User(call.AccountId, name) ?? throw QueryException.NoSuchEntity($"The user with name {name} cannot be found.");

    public static IamRoleRecord ExistingRole(IamDirectory iam, QueryCall call, string name) =>
        iam.Current.Role(call.AccountId, name) ?? throw QueryException.NoSuchEntity($"The role with name {name} cannot be found.");

    /// <summary>The parameter naming the user or role an inline policy or attachment belongs to.</summary>
    public static string OwnerParameter(IamPrincipalKind kind) => kind == IamPrincipalKind.User ? "UserName" : "RoleName";

    public static string OwnerArn(QueryCall call, IamPrincipalKind kind)
    {
        var name = Name(call, OwnerParameter(kind));
        return kind == IamPrincipalKind.User ? ResourceArns.User(call.Server, call.AccountId, name) : ResourceArns.Role(call.Server, call.AccountId, name);
    }

    public static void RequireOwner(IamDirectory iam, QueryCall call, IamPrincipalKind kind, string name)
    {
        if (kind == IamPrincipalKind.User)
        {
            ExistingUser(iam, call, name);
        }
        else
        {
            ExistingRole(iam, call, name);
        }
    }

    private static QueryException Translate(IamConflictException e) => new(
        e.Conflict.ToString(),
        e.Message,
        e.Conflict == IamConflict.NoSuchEntity ? 404 : 409);
}
