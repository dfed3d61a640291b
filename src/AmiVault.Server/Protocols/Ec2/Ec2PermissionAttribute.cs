using AmiVault.Catalog;

namespace AmiVault.Protocols.Ec2;

/// <summary>
/// The one attribute by which EC2 shares a resource with other accounts: an image's launch permission, a snapshot's
/// create volume permission. Read from either form the SDKs send — the structure
/// (`LaunchPermission.Add.N.UserId`, what `--launch-permission` and AWSSDK write) or the older flat members
/// (`Attribute`, `OperationType`, `UserId.N`, `UserGroup.N`) — and written as `&lt;{Name}&gt;&lt;item&gt;&lt;userId&gt;`.
/// Only account ids are served: nothing here is public (group `all`) and there are no organizations.
/// </summary>
internal sealed record Ec2PermissionAttribute(Ec2ResourceKind Kind, string Noun, string Name, string Structure, string InvalidItemCode)
{
    /// <summary>AWS's limit of accounts an AMI can be shared with; this server applies it to snapshots too.</summary>
    public const int MaxAccounts = 1000;

    public static readonly Ec2PermissionAttribute LaunchPermission = new(Ec2ResourceKind.Image, "Image", "launchPermission", "LaunchPermission", "InvalidAMIAttributeItemValue");

    public static readonly Ec2PermissionAttribute CreateVolumePermission = new(Ec2ResourceKind.Snapshot, "Snapshot", "createVolumePermission", "CreateVolumePermission", "InvalidParameterValue");

    /// <summary>The request member naming the resource: ImageId, SnapshotId.</summary>
    public string IdParameter => Noun + "Id";

    /// <summary>
    /// The accounts a Modify*Attribute request adds and removes, validated; null when the request does not touch this
    /// attribute (the caller decides whether it asked for something else).
    /// </summary>
    public (List<string> Add, List<string> Remove)? Modifications(Ec2Parameters p)
    {
        var add = new List<Ec2Parameters>();
        var remove = new List<Ec2Parameters>();
        if (p.Structure(Structure) is { } structure)
        {
            add.AddRange(structure.Structures("Add"));
            remove.AddRange(structure.Structures("Remove"));
        }

        var flatUsers = p.List("UserId");
        var flatGroups = p.List("UserGroup");
        var operation = p.OneOf("OperationType", "add", "remove");
        if (flatUsers.Count > 0 || flatGroups.Count > 0)
        {
            var target = operation switch
            {
                "add" => add,
                "remove" => remove,
                _ => throw Ec2Exception.Missing("OperationType"),
            };
            target.AddRange(flatUsers.Select(u => Item("UserId", u)));
            target.AddRange(flatGroups.Select(g => Item("Group", g)));
        }
        else if (operation is not null && add.Count == 0 && remove.Count == 0)
        {
            throw Ec2Exception.Missing("UserId.1");
        }

        if (add.Count == 0 && remove.Count == 0)
        {
            return null;
        }

        return ([.. add.Select(Account).Distinct(StringComparer.Ordinal)], [.. remove.Select(Account).Distinct(StringComparer.Ordinal)]);
    }

    /// <summary>Writes the accounts as DescribeImageAttribute / DescribeSnapshotAttribute answer them.</summary>
    public Ec2Xml Write(Ec2Xml x, IEnumerable<string> accounts) => x.Set(Name, accounts, (x, a) => x.Value("userId", a));

    /// <summary>Applies validated modifications to <paramref name="resourceId"/> of <paramref name="ownerId"/>, within <see cref="MaxAccounts"/>.</summary>
    public async Task ApplyAsync(IResourceSharing sharing, string ownerId, string resourceId, List<string> add, List<string> remove, CancellationToken cancellationToken)
    {
        // The owner may always use its own resource: naming it adds nothing.
        add.RemoveAll(a => a == ownerId);
        var current = await sharing.AccountsAsync(resourceId, cancellationToken);
        var after = current.Union(add, StringComparer.Ordinal).Except(remove, StringComparer.Ordinal).Count();
        if (after > MaxAccounts)
        {
            throw new Ec2Exception("ResourceLimitExceeded", $"A {Kind.ResourceType} can be shared with at most {MaxAccounts} accounts; {resourceId} would be shared with {after}.");
        }

        await sharing.ModifyAsync(resourceId, add, remove, cancellationToken);
    }

    /// <summary>The account one permission item names; groups and organizations are refused with EC2's codes.</summary>
    private string Account(Ec2Parameters item)
    {
        if (item.Get("OrganizationArn") is not null || item.Get("OrganizationalUnitArn") is not null)
        {
            throw new Ec2Exception("UnsupportedOperation", $"This server has no organizations: a {Name} can name account ids only.");
        }

        if (item.Get("Group") is { } group)
        {
            throw group == "all"
                ? new Ec2Exception("InvalidParameterValue", $"This server keeps nothing public: a {Kind.ResourceType} can be shared with account ids only, not with group 'all'.")
                : new Ec2Exception(InvalidItemCode, $"Invalid attribute item value \"{Shorten(group)}\" for UserGroup item type.");
        }

        var userId = item.Get("UserId");
        if (userId is null)
        {
            throw new Ec2Exception("MissingParameter", $"Each {Structure} item must name a UserId.");
        }

        return userId.Length == 12 && userId.All(char.IsAsciiDigit)
            ? userId
            : throw new Ec2Exception(InvalidItemCode, $"Invalid attribute item value \"{Shorten(userId)}\" for userId item type.");
    }

    private static Ec2Parameters Item(string member, string value) => new(new Dictionary<string, string> { [member] = value });

    private static string Shorten(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
