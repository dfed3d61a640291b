using AmiVault.Catalog.Iam;
using AmiVault.Iam;
using AmiVault.Iam.Policies;
using AmiVault.Protocols.Query;

namespace AmiVault.Protocols.Iam;

/// <summary>Customer managed policies and their versions (at most five; one is the default, the one in force).</summary>
internal sealed class ManagedPolicyActions(IamDirectory iam, TimeProvider time) : IQueryActionSet
{
    public const int MaxVersions = 5;

    public string Service => "iam";

    public IEnumerable<QueryAction> Actions =>
    [
        new("CreatePolicy", c => [ResourceArns.Policy(c.Server, c.AccountId, IamRequests.Name(c, "PolicyName", 128))], CreateAsync),
        new("GetPolicy", PolicyResource, GetAsync),
        new("ListPolicies", _ => [ResourceArns.Any], ListAsync),
        new("DeletePolicy", PolicyResource, DeleteAsync),
        new("CreatePolicyVersion", PolicyResource, CreateVersionAsync),
        new("GetPolicyVersion", PolicyResource, GetVersionAsync),
        new("ListPolicyVersions", PolicyResource, ListVersionsAsync),
        new("SetDefaultPolicyVersion", PolicyResource, SetDefaultAsync),
        new("DeletePolicyVersion", PolicyResource, DeleteVersionAsync),
    ];

    private static IReadOnlyList<string> PolicyResource(QueryCall call) => [call.Required("PolicyArn")];

    private async Task CreateAsync(QueryCall call)
    {
        IamRequests.RootPathOnly(call);
        var name = IamRequests.Name(call, "PolicyName", 128);
        var document = IamRequests.Document(call, "PolicyDocument", PolicyKind.Identity, IamRequests.MaxManagedPolicy, $"policy {name}");
        var now = time.GetUtcNow();
        var policy = new IamManagedPolicyRecord(call.AccountId, name, IamIds.New(IamIds.Policy), 1, call.Optional("Description") ?? "", now, [new IamPolicyVersionRecord(1, document, now)]);
        await IamRequests.ChangeAsync(iam, c => c.CreatePolicyAsync(policy, call.Aborted));
        await call.RespondAsync(x => WritePolicy(x.Start("Policy"), policy, call).End());
    }

    private Task GetAsync(QueryCall call)
    {
        var policy = Existing(call);
        return call.RespondAsync(x => WritePolicy(x.Start("Policy"), policy, call).End());
    }

    private Task ListAsync(QueryCall call)
    {
        if (call.Optional("Scope") is "AWS")
        {
            // No AWS managed policies exist here.
            return call.RespondAsync(x =>
            {
                x.Members<IamManagedPolicyRecord>("Policies", [], (_, _) => { });
                QueryCall.Paging(x, null);
            });
        }

        var attached = iam.Current.Contents.Attachments.Where(a => a.AccountId == call.AccountId).Select(a => a.PolicyName.ToUpperInvariant()).ToHashSet();
        var policies = iam.Current.Contents.Policies
            .Where(p => p.AccountId == call.AccountId)
            .Where(p => call.Optional("OnlyAttached") != "true" || attached.Contains(p.PolicyName.ToUpperInvariant()));
        var (page, marker) = call.Page(policies, p => p.PolicyName);
        return call.RespondAsync(x =>
        {
            x.Members("Policies", page, (m, p) => WritePolicy(m, p, call));
            QueryCall.Paging(x, marker);
        });
    }

    private async Task DeleteAsync(QueryCall call)
    {
        var name = IamRequests.PolicyName(call);
        await IamRequests.ChangeAsync(iam, c => c.DeletePolicyAsync(call.AccountId, name, call.Aborted));
        await call.RespondAsync();
    }

    private async Task CreateVersionAsync(QueryCall call)
    {
        var name = IamRequests.PolicyName(call);
        var document = IamRequests.Document(call, "PolicyDocument", PolicyKind.Identity, IamRequests.MaxManagedPolicy, $"policy {name}");
        var setDefault = call.Optional("SetAsDefault") == "true";
        var now = time.GetUtcNow();
        var version = await IamRequests.ChangeAsync(iam, c => c.CreatePolicyVersionAsync(call.AccountId, name, document, setDefault, MaxVersions, now, call.Aborted));
        await call.RespondAsync(x => x.Start("PolicyVersion").Value("VersionId", VersionId(version)).Value("IsDefaultVersion", setDefault).Value("CreateDate", now).End());
    }

    private Task GetVersionAsync(QueryCall call)
    {
        var policy = Existing(call);
        var number = ParseVersion(call);
        var version = policy.Versions.FirstOrDefault(v => v.Version == number)
            ?? throw QueryException.NoSuchEntity($"Policy {call.Required("PolicyArn")} version {call.Required("VersionId")} does not exist or is not attachable.");
        return call.RespondAsync(x => WriteVersion(x.Start("PolicyVersion"), policy, version).End());
    }

    private Task ListVersionsAsync(QueryCall call)
    {
        var policy = Existing(call);
        return call.RespondAsync(x =>
        {
            x.Members("Versions", policy.Versions.OrderByDescending(v => v.Version), (m, v) => WriteVersion(m, policy, v, withDocument: false));
            QueryCall.Paging(x, null);
        });
    }

    private async Task SetDefaultAsync(QueryCall call)
    {
        var name = IamRequests.PolicyName(call);
        var version = ParseVersion(call);
        await IamRequests.ChangeAsync(iam, c => c.SetDefaultPolicyVersionAsync(call.AccountId, name, version, call.Aborted));
        await call.RespondAsync();
    }

    private async Task DeleteVersionAsync(QueryCall call)
    {
        var name = IamRequests.PolicyName(call);
        var version = ParseVersion(call);
        await IamRequests.ChangeAsync(iam, c => c.DeletePolicyVersionAsync(call.AccountId, name, version, call.Aborted));
        await call.RespondAsync();
    }

    private IamManagedPolicyRecord Existing(QueryCall call) =>
        iam.Current.Policy(call.AccountId, IamRequests.PolicyName(call))
            ?? throw QueryException.NoSuchEntity($"Policy {call.Required("PolicyArn")} does not exist or is not attachable.");

    private static int ParseVersion(QueryCall call)
    {
        var text = call.Required("VersionId");
        return text.Length > 1 && text[0] == 'v' && int.TryParse(text.AsSpan(1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
            ? n
            : throw QueryException.Validation($"1 validation error detected: Value '{text}' at 'versionId' failed to satisfy constraint: Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?");
    }

    private static string VersionId(int version) => "v" + version.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private QueryXml WritePolicy(QueryXml xml, IamManagedPolicyRecord policy, QueryCall call)
    {
        var attachments = iam.Current.Contents.Attachments.Count(a => a.AccountId == policy.AccountId && string.Equals(a.PolicyName, policy.PolicyName, StringComparison.OrdinalIgnoreCase));
        return xml.Value("PolicyName", policy.PolicyName).Value("PolicyId", policy.PolicyId)
            .Value("Arn", ResourceArns.Policy(call.Server, policy.AccountId, policy.PolicyName)).Value("Path", "/")
            .Value("DefaultVersionId", VersionId(policy.DefaultVersion)).Value("AttachmentCount", attachments)
            .Value("IsAttachable", true).Value("Description", policy.Description.Length == 0 ? null : policy.Description)
            .Value("CreateDate", policy.CreateDate).Value("UpdateDate", policy.Versions.Max(v => v.CreateDate));
    }

    private static QueryXml WriteVersion(QueryXml xml, IamManagedPolicyRecord policy, IamPolicyVersionRecord version, bool withDocument = true)
    {
        if (withDocument)
        {
            xml.Document("Document", version.Document);
        }

        return xml.Value("VersionId", VersionId(version.Version)).Value("IsDefaultVersion", version.Version == policy.DefaultVersion).Value("CreateDate", version.CreateDate);
    }
}
