namespace AmiVault.Protocols.Ec2;

/// <summary>
/// A kind of resource the EC2 actions take by id (images, snapshots): its id prefix, its DescribeTags resource type
/// and the error codes EC2 answers for a malformed id and for an id the caller has no such resource under.
/// </summary>
internal sealed record Ec2ResourceKind(string Prefix, string ResourceType, string MalformedCode, string NotFoundCode)
{
    public static readonly Ec2ResourceKind Image = new(Catalog.ResourceIds.Image, "image", "InvalidAMIID.Malformed", "InvalidAMIID.NotFound");

    public static readonly Ec2ResourceKind Snapshot = new(Catalog.ResourceIds.Snapshot, "snapshot", "InvalidSnapshotID.Malformed", "InvalidSnapshot.NotFound");

    public static readonly IReadOnlyList<Ec2ResourceKind> All = [Image, Snapshot];

    /// <summary>The kind whose prefix <paramref name="id"/> carries, or InvalidID when it is of no kind served here.</summary>
    public static Ec2ResourceKind Of(string id) =>
        All.FirstOrDefault(k => id.StartsWith(k.Prefix + "-", StringComparison.Ordinal))
        ?? throw new Ec2Exception("InvalidID", $"The ID '{Truncate(id)}' is not valid; this server keeps images (ami-) and snapshots (snap-).");

    public void CheckWellFormed(string id)
    {
        if (!Catalog.ResourceIds.IsWellFormed(id, Prefix))
        {
            throw new Ec2Exception(MalformedCode, $"Invalid id: \"{Truncate(id)}\" (expecting \"{Prefix}-...\")");
        }
    }

    /// <summary>The error for ids that name nothing the caller owns; another account's resource is reported the same way.</summary>
    public Ec2Exception NotFound(IReadOnlyCollection<string> ids)
    {
        var list = string.Join(", ", ids);
        return this == Image
            ? new(NotFoundCode, ids.Count == 1 ? $"The image id '[{list}]' does not exist" : $"The image ids '[{list}]' do not exist")
            : new(NotFoundCode, ids.Count == 1 ? $"The snapshot '{list}' does not exist." : $"The snapshots '{list}' do not exist.");
    }

    /// <summary>
    /// Narrows the caller's resources to <paramref name="ids"/> (Describe*'s ImageId.N / SnapshotId.N): every id must
    /// be well formed and name one of them, as EC2 refuses the whole call otherwise.
    /// </summary>
    public List<T> Select<T>(IEnumerable<T> owned, Func<T, string> idOf, IReadOnlyList<string> ids)
    {
        foreach (var id in ids)
        {
            CheckWellFormed(id);
        }

        var wanted = ids.ToHashSet(StringComparer.Ordinal);
        var found = owned.Where(r => wanted.Contains(idOf(r))).ToList();
        var missing = wanted.Except(found.Select(idOf), StringComparer.Ordinal).ToList();
        return missing.Count > 0 ? throw NotFound(missing) : found;
    }

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
