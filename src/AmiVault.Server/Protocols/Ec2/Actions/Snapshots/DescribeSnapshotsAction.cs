using AmiVault.Catalog;

namespace AmiVault.Protocols.Ec2.Actions.Snapshots;

/// <summary>
/// DescribeSnapshots over the caller's own snapshots (pending, completed or error). Nothing is shared or public,
/// so asking for other owners or for what others may restore lists nothing.
/// </summary>
internal sealed class DescribeSnapshotsAction(ISnapshotCatalog snapshots, ITagCatalog tags, Ec2PageTokens pageTokens) : IEc2Action
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

    private static readonly Ec2OwnedListing<SnapshotRecord> Listing = new(
        Ec2ResourceKind.Snapshot, "SnapshotId", "snapshotSet", s => s.SnapshotId, s => Ec2Xml.Timestamp(s.StartTime) + "/" + s.SnapshotId, Filters, Write);

    public string Name => "DescribeSnapshots";

    public async Task ExecuteAsync(Ec2Call call)
    {
        var owners = call.Parameters.List("Owner");
        owners.ForEach(o => Ec2Validation.AccountReference(o, "self", "amazon", "aws-marketplace", "microsoft"));
        var restorableBy = call.Parameters.List("RestorableBy");
        restorableBy.ForEach(r => Ec2Validation.AccountReference(r, "self", "all"));

        // The caller may restore its own snapshots; nobody else may (nothing is shared, nothing is public).
        bool IsCaller(string account) => account == "self" || account == call.AccountId;
        var visible = (owners.Count == 0 || owners.Exists(IsCaller)) && (restorableBy.Count == 0 || restorableBy.Exists(IsCaller));
        await Listing.RespondAsync(call, pageTokens, tags, ct => snapshots.ListAsync(call.AccountId, ct), visible);
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
