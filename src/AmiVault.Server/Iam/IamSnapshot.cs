using System.Collections.Concurrent;
using AmiVault.Accounts;
using AmiVault.Auth;
using AmiVault.Catalog.Iam;
using AmiVault.Iam.Policies;

namespace AmiVault.Iam;

/// <summary>
/// One immutable view of everything IAM holds, indexed for the request path: credentials by access key id, and
/// each principal's policy set, parsed once and cached on first use. A change to IAM builds a new snapshot, which
/// is how every cached policy set is invalidated at once.
/// </summary>
internal sealed class IamSnapshot
{
    private readonly Dictionary<string, Credential> _credentials = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Account, string Name), IamUserRecord> _users = [];
    private readonly Dictionary<(string Account, string Name), IamRoleRecord> _roles = [];
    private readonly Dictionary<(string Account, string Name), IamManagedPolicyRecord> _policies = [];
    private readonly ILookup<(string Account, IamPrincipalKind Kind, string Name), IamInlinePolicyRecord> _inline;
    private readonly ILookup<(string Account, IamPrincipalKind Kind, string Name), IamAttachmentRecord> _attachments;
    private readonly ConcurrentDictionary<(IamPrincipalKind Kind, string Account, string Name), IReadOnlyList<PolicyDocument>> _policySets = new();
    private readonly ConcurrentDictionary<string, PolicyDocument> _parsed;
    private readonly Dictionary<string, BucketPolicyRecord> _bucketPolicies = new(StringComparer.Ordinal);

    public IamSnapshot(IamContents contents, AccountDirectory accounts, SecretSealer sealer, string partition, ConcurrentDictionary<string, PolicyDocument> parsed)
    {
        Contents = contents;
        _parsed = parsed;
        var accountsById = accounts.All.ToDictionary(a => a.Id, StringComparer.Ordinal);
        foreach (var user in contents.Users)
        {
            _users[(user.AccountId, Fold(user.UserName))] = user;
        }

        foreach (var role in contents.Roles)
        {
            _roles[(role.AccountId, Fold(role.RoleName))] = role;
        }

        foreach (var policy in contents.Policies)
        {
            _policies[(policy.AccountId, Fold(policy.PolicyName))] = policy;
        }

        foreach (var key in contents.AccessKeys)
        {
            if (accountsById.TryGetValue(key.AccountId, out var account) && _users.TryGetValue((key.AccountId, Fold(key.UserName)), out var user))
            {
                _credentials[key.AccessKeyId] = new Credential(
                    account, IamPrincipal.User(partition, account.Id, user.UserName, user.UserId), sealer.Open(key.AccessKeyId, key.SealedSecret), key.Active);
            }
        }

        foreach (var session in contents.Sessions)
        {
            if (accountsById.TryGetValue(session.AccountId, out var account))
            {
                _credentials[session.AccessKeyId] = new Credential(
                    account, IamPrincipal.AssumedRole(partition, account.Id, session.RoleName, session.RoleId, session.SessionName),
                    sealer.Open(session.AccessKeyId, session.SealedSecret), Active: true, session.TokenHash, session.Expiration);
            }
        }

        foreach (var policy in contents.BucketPolicies)
        {
            _bucketPolicies[policy.Bucket] = policy;
        }

        _inline = contents.InlinePolicies.ToLookup(p => (p.AccountId, p.Kind, Fold(p.PrincipalName)));
        _attachments = contents.Attachments.ToLookup(a => (a.AccountId, a.Kind, Fold(a.PrincipalName)));
    }

    public IamContents Contents { get; }

    public Credential? Credential(string accessKeyId) => _credentials.GetValueOrDefault(accessKeyId);

    public IamUserRecord? User(string accountId, string name) => _users.GetValueOrDefault((accountId, Fold(name)));

    public IamRoleRecord? Role(string accountId, string name) => _roles.GetValueOrDefault((accountId, Fold(name)));

    public IamManagedPolicyRecord? Policy(string accountId, string name) => _policies.GetValueOrDefault((accountId, Fold(name)));

    public IEnumerable<IamInlinePolicyRecord> InlinePolicies(string accountId, IamPrincipalKind kind, string name) => _inline[(accountId, kind, Fold(name))];

    public IEnumerable<IamAttachmentRecord> Attachments(string accountId, IamPrincipalKind kind, string name) => _attachments[(accountId, kind, Fold(name))];

    /// <summary>The identity policies in force for a user or a role session: inline ones and attached managed defaults.</summary>
    public IReadOnlyList<PolicyDocument> PoliciesOf(IamPrincipal principal)
    {
        var (kind, name) = principal.Type == IamPrincipalType.User
            ? (IamPrincipalKind.User, principal.UserName!)
            : (IamPrincipalKind.Role, principal.RoleName!);
        return _policySets.GetOrAdd((kind, principal.AccountId, Fold(name)), k => Collect(k.Kind, k.Account, k.Name));
    }

    /// <summary>A bucket's policy, parsed, with the account that owns the bucket; null when it has none.</summary>
    public (string OwnerId, PolicyDocument Document)? BucketPolicy(string bucket) =>
        _bucketPolicies.TryGetValue(bucket, out var policy) ? (policy.OwnerId, Parse(policy.Document, PolicyKind.Resource)) : null;

    /// <summary>The bucket's policy as it was put, for GetBucketPolicy.</summary>
    public BucketPolicyRecord? BucketPolicyRecord(string bucket) => _bucketPolicies.GetValueOrDefault(bucket);

    public PolicyDocument Parse(string document, PolicyKind kind) =>
        _parsed.GetOrAdd(((int)kind).ToString(System.Globalization.CultureInfo.InvariantCulture) + document, _ => PolicyParser.Parse(document, kind));

    private List<PolicyDocument> Collect(IamPrincipalKind kind, string accountId, string name)
    {
        var exists = kind == IamPrincipalKind.User ? _users.ContainsKey((accountId, name)) : _roles.ContainsKey((accountId, name));
        if (!exists)
        {
            return [];
        }

        var documents = InlinePolicies(accountId, kind, name).Select(p => Parse(p.Document, PolicyKind.Identity)).ToList();
        foreach (var attachment in Attachments(accountId, kind, name))
        {
            if (Policy(accountId, attachment.PolicyName) is { } policy && policy.Versions.FirstOrDefault(v => v.Version == policy.DefaultVersion) is { } version)
            {
                documents.Add(Parse(version.Document, PolicyKind.Identity));
            }
        }

        return documents;
    }

    /// <summary>IAM names are unique without regard to case.</summary>
    private static string Fold(string name) => name.ToUpperInvariant();
}
