using AmiVault.Archive;
using AmiVault.Catalog;

namespace AmiVault.Tasks;

/// <summary>Translates between the catalog's records and what an archive keeps of them, both ways.</summary>
internal static class ArchiveManifests
{
    public static ArchiveManifest From(
        ImageRecord image,
        IReadOnlyList<KeyValuePair<string, string>> imageTags,
        IReadOnlyList<(SnapshotRecord Snapshot, IReadOnlyList<KeyValuePair<string, string>> Tags, long BlockCount)> snapshots,
        string region,
        DateTimeOffset storedAt) => new()
    {
        StoredAt = storedAt,
        StoredFromRegion = region,
        Image = new ArchivedImage
        {
            ImageId = image.ImageId,
            OwnerId = image.OwnerId,
            Name = image.Name,
            Description = image.Description,
            Architecture = image.Architecture,
            BootMode = image.BootMode,
            VirtualizationType = image.VirtualizationType,
            RootDeviceName = image.RootDeviceName,
            RootDeviceType = image.RootDeviceType,
            EnaSupport = image.EnaSupport,
            SriovNetSupport = image.SriovNetSupport,
            TpmSupport = image.TpmSupport,
            ImdsSupport = image.ImdsSupport,
            UefiData = image.UefiData,
            KernelId = image.KernelId,
            RamdiskId = image.RamdiskId,
            ImageLocation = image.ImageLocation,
            CreationDate = image.CreationDate,
            SourceImageId = image.SourceImageId,
            SourceImageRegion = image.SourceImageRegion,
            BlockDeviceMappings = [.. image.BlockDeviceMappings.Select(m => new ArchivedBlockDeviceMapping(
                m.DeviceName,
                m.Ebs is { } e ? new ArchivedEbsMapping(e.SnapshotId, e.VolumeSize, e.VolumeType, e.Iops, e.Throughput, e.DeleteOnTermination, e.Encrypted) : null,
                m.VirtualName,
                m.NoDevice))],
            Tags = [.. imageTags.Select(t => new ArchivedTag(t.Key, t.Value))],
        },
        Snapshots = [.. snapshots.Select(s => new ArchivedSnapshot
        {
            SnapshotId = s.Snapshot.SnapshotId,
            VolumeSizeGib = s.Snapshot.VolumeSizeGib,
            Description = s.Snapshot.Description,
            Tags = [.. s.Tags.Select(t => new ArchivedTag(t.Key, t.Value))],
            BlockCount = s.BlockCount,
        })],
    };

    /// <summary>
    /// The image a restore creates: the archived metadata under a new id and name, its mappings pointing at the new
    /// snapshots (<paramref name="newSnapshotIds"/>, in manifest order), encrypted as the account's default says.
    /// </summary>
    public static ImageRecord ToRestoredImage(
        ArchiveManifest manifest,
        string imageId,
        string ownerId,
        string name,
        IReadOnlyList<string> newSnapshotIds,
        bool encrypted,
        DateTimeOffset now)
    {
        var archived = manifest.Image;
        var renamed = manifest.Snapshots
            .Select((s, i) => (Old: s.SnapshotId, New: newSnapshotIds[i]))
            .ToDictionary(p => p.Old, p => p.New, StringComparer.Ordinal);
        return new ImageRecord
        {
            ImageId = imageId,
            OwnerId = ownerId,
            Name = name,
            Description = archived.Description,
            Architecture = archived.Architecture,
            BootMode = archived.BootMode,
            VirtualizationType = archived.VirtualizationType,
            RootDeviceName = archived.RootDeviceName,
            RootDeviceType = archived.RootDeviceType,
            EnaSupport = archived.EnaSupport,
            SriovNetSupport = archived.SriovNetSupport,
            TpmSupport = archived.TpmSupport,
            ImdsSupport = archived.ImdsSupport,
            UefiData = archived.UefiData,
            State = "pending",
            CreationDate = now,
            SourceImageId = archived.ImageId,
            SourceImageRegion = manifest.StoredFromRegion,
            BlockDeviceMappings = [.. archived.BlockDeviceMappings.Select(m => new BlockDeviceMapping(
                m.DeviceName,
                m.Ebs is { } e
                    ? new EbsMapping(
                        e.SnapshotId is { } old && renamed.TryGetValue(old, out var fresh) ? fresh : null,
                        e.VolumeSize, e.VolumeType, e.Iops, e.Throughput, e.DeleteOnTermination, e.SnapshotId is null ? e.Encrypted : encrypted)
                    : null,
                m.VirtualName,
                m.NoDevice))],
        };
    }
}
