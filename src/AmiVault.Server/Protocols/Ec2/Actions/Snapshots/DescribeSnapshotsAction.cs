using AmiVault.Catalog;

namespace AmiVault.Protocols.Ec2.Actions.Snapshots;

/// <summary>
/// DescribeSnapshots over the caller's own snapshots (pending, completed or error) and those shared with it (a
/// create volume permission naming its account). Nothing is public.
/// </summary>
internal sealed class DescribeSnapshotsAction(OwnedResources owned, ITagCatalog tags, Ec2PageTokens pageTokens) : IEc2Action
{
    /// <summary>What EC2 shows as the volume of a snapshot that was not taken from a volume (EBS direct APIs, copies).</summary>
    public const string NoVolumeId = "vol-ffffffff";
    public const string StorageTier = "standard";

    private static readonly Ec2FilterSet<SnapshotRecord> Filters = new Ec2FilterSet<SnapshotRecord>()
        .Add("description", s => s.Description ?? "")
        .Add("encrypted", s => s.Encrypted)
        .Add("kms-key-id", s => s.KmsKeyId)
        .Add("owner-id", s => s.OwnerId)
        .Add("progress", Progress)
        .Add("snapshot-id", s => s.SnapshotId)
        .Add("start-time", s => Ec2Xml.Timestamp(s.StartTime))
        .Add("status", s => s.Status)
        .Add("storage-tier", _ => StorageTier)
        .Add("volume-id", _ => NoVolumeId)
        .Add("volume-size", s => s.VolumeSizeGib);

    private static readonly Ec2ResourceListing<SnapshotRecord> Listing = new(
        Ec2ResourceKind.Snapshot, "SnapshotId", "snapshotSet", s => s.SnapshotId, s => s.OwnerId, s => Ec2Xml.Timestamp(s.StartTime) + "/" + s.SnapshotId, Filters, Write);

    public string Name => "DescribeSnapshots";

    public async Task ExecuteAsync(Ec2Call call)
    {
        var owners = call.Parameters.List("Owner");
        owners.ForEach(o => Ec2Validation.AccountReference(o, "self", "amazon", "aws-marketplace", "microsoft"));
        var restorableBy = call.Parameters.List("RestorableBy");
        restorableBy.ForEach(r => Ec2Validation.AccountReference(r, "self", "all"));

        // RestorableBy.N: self (or the caller's id) is everything the caller may restore, its own and what is shared
        // with it; another account, the caller's snapshots shared with that account; all, the public ones (none).
        var visible = await owned.VisibleSnapshotsAsync(call.AccountId, call.Aborted);
        var others = restorableBy.Where(r => r is not ("self" or "all") && r != call.AccountId).ToHashSet(StringComparer.Ordinal);
        var grantedToOthers = await owned.SharedWithAnyAsync(visible.Where(s => s.OwnerId == call.AccountId).Select(s => s.SnapshotId), others, call.Aborted);
        bool InScope(SnapshotRecord snapshot) =>
            (owners.Count == 0 || owners.Exists(o => (o == "self" ? call.AccountId : o) == snapshot.OwnerId))
            && (restorableBy.Count == 0 || restorableBy.Exists(r => r == "self" || r == call.AccountId || grantedToOthers.Contains(snapshot.SnapshotId)));
        await Listing.RespondAsync(call, pageTokens, tags, _ => Task.FromResult(visible), InScope);
    }

    private static string Progress(SnapshotRecord snapshot) =>
        snapshot.Progress.ToString(System.Globalization.CultureInfo.InvariantCulture) + "%";

    private static void Write(Ec2Xml x, SnapshotRecord snapshot, IReadOnlyList<KeyValuePair<string, string>> snapshotTags) =>
        x.Value("snapshotId", snapshot.SnapshotId)
            .Value("volumeId", NoVolumeId)
            .Value("status", snapshot.Status)
            .Value("statusMessage", snapshot.StateMessage)
            .Value("startTime", snapshot.StartTime)
            .Value("completionTime", snapshot.CompletionTime)
            .Value("progress", Progress(snapshot))
            .Value("ownerId", snapshot.OwnerId)
            .Value("volumeSize", snapshot.VolumeSizeGib)
            .Value("description", snapshot.Description ?? "")
            .Value("encrypted", snapshot.Encrypted)
            .Value("kmsKeyId", snapshot.KmsKeyId)
            .Value("storageTier", StorageTier)
            .Tags(snapshotTags);
}
