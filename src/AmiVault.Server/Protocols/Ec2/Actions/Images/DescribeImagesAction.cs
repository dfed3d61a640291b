using AmiVault.Catalog;

namespace AmiVault.Protocols.Ec2.Actions.Images;

/// <summary>
/// DescribeImages over the caller's own images and those shared with it (a launch permission naming its account);
/// there are no public images. Another account's image that is not shared with the caller is never listed, and an
/// id of one is InvalidAMIID.NotFound like an unknown id. A shared image keeps its owner.
/// </summary>
internal sealed class DescribeImagesAction(OwnedResources owned, ITagCatalog tags, Ec2PageTokens pageTokens) : IEc2Action
{
    public const string Hypervisor = "xen";
    public const string ImageType = "machine";
    public const string PlatformDetails = "Linux/UNIX";
    public const string UsageOperation = "RunInstances";

    private static readonly Ec2FilterSet<ImageRecord> Filters = new Ec2FilterSet<ImageRecord>()
        .Add("architecture", i => i.Architecture)
        .AddMany("block-device-mapping.delete-on-termination", i => i.BlockDeviceMappings.Select(m => Ec2Xml.Text(m.Ebs?.DeleteOnTermination)))
        .AddMany("block-device-mapping.device-name", i => i.BlockDeviceMappings.Select(m => m.DeviceName))
        .AddMany("block-device-mapping.encrypted", i => i.BlockDeviceMappings.Select(m => Ec2Xml.Text(m.Ebs?.Encrypted)))
        .AddMany("block-device-mapping.snapshot-id", i => i.BlockDeviceMappings.Select(m => m.Ebs?.SnapshotId))
        .AddMany("block-device-mapping.volume-size", i => i.BlockDeviceMappings.Select(m => Ec2Xml.Text(m.Ebs?.VolumeSize)))
        .AddMany("block-device-mapping.volume-type", i => i.BlockDeviceMappings.Select(m => m.Ebs?.VolumeType))
        .Add("creation-date", i => Ec2Xml.Timestamp(i.CreationDate))
        .Add("description", i => i.Description)
        .Add("ena-support", i => i.EnaSupport)
        .Add("hypervisor", _ => Hypervisor)
        .Add("image-id", i => i.ImageId)
        .Add("image-type", _ => ImageType)
        .Add("imds-support", i => i.ImdsSupport)
        .Add("is-public", _ => false)
        .Add("kernel-id", i => i.KernelId)
        .Add("manifest-location", Location)
        .Add("name", i => i.Name)
        .Add("owner-id", i => i.OwnerId)
        .Add("platform-details", _ => PlatformDetails)
        .Add("ramdisk-id", i => i.RamdiskId)
        .Add("root-device-name", i => i.RootDeviceName)
        .Add("root-device-type", i => i.RootDeviceType)
        .Add("source-image-id", i => i.SourceImageId)
        .Add("source-image-region", i => i.SourceImageRegion)
        .Add("sriov-net-support", i => i.SriovNetSupport)
        .Add("state", i => i.State)
        .Add("state-reason-code", i => i.StateReasonCode)
        .Add("state-reason-message", i => i.StateReasonMessage)
        .Add("usage-operation", _ => UsageOperation)
        .Add("virtualization-type", i => i.VirtualizationType);

    private static readonly Ec2ResourceListing<ImageRecord> Listing = new(
        Ec2ResourceKind.Image, "ImageId", "imagesSet", i => i.ImageId, i => i.OwnerId, i => Ec2Xml.Timestamp(i.CreationDate) + "/" + i.ImageId, Filters, Write);

    public string Name => "DescribeImages";

    public async Task ExecuteAsync(Ec2Call call)
    {
        var p = call.Parameters;
        var owners = p.List("Owner");
        owners.ForEach(o => Ec2Validation.AccountReference(o, "self", "amazon", "aws-marketplace", "aws-backup-vault"));
        var executableBy = p.List("ExecutableBy");
        executableBy.ForEach(e => Ec2Validation.AccountReference(e, "self", "all"));
        p.Bool("IncludeDeprecated");
        p.Bool("IncludeDisabled");

        // Owner.N keeps images of those owners; ExecutableBy.N those with an explicit launch permission for the
        // accounts named: self (or the caller's id) means shared with the caller, another account the caller's own
        // images shared with it, all the public ones (none).
        var visible = await owned.VisibleImagesAsync(call.AccountId, call.Aborted);
        var others = executableBy.Where(e => e is not ("self" or "all") && e != call.AccountId).ToHashSet(StringComparer.Ordinal);
        var grantedToOthers = await owned.SharedWithAnyAsync(visible.Where(i => i.OwnerId == call.AccountId).Select(i => i.ImageId), others, call.Aborted);
        bool InScope(ImageRecord image) =>
            (owners.Count == 0 || owners.Exists(o => (o == "self" ? call.AccountId : o) == image.OwnerId))
            && (executableBy.Count == 0 || executableBy.Exists(e => e == "self" || e == call.AccountId
                ? image.OwnerId != call.AccountId
                : grantedToOthers.Contains(image.ImageId)));
        await Listing.RespondAsync(call, pageTokens, tags, _ => Task.FromResult(visible), InScope);
    }

    /// <summary>EC2 shows an EBS-backed image's location as owner/name.</summary>
    private static string Location(ImageRecord image) => image.ImageLocation ?? $"{image.OwnerId}/{image.Name}";

    private static void Write(Ec2Xml x, ImageRecord image, IReadOnlyList<KeyValuePair<string, string>> imageTags)
    {
        x.Value("imageId", image.ImageId)
            .Value("imageLocation", Location(image))
            .Value("imageState", image.State)
            .Value("imageOwnerId", image.OwnerId)
            .Value("creationDate", image.CreationDate)
            .Value("isPublic", false)
            .Value("architecture", image.Architecture)
            .Value("imageType", ImageType)
            .Value("kernelId", image.KernelId)
            .Value("ramdiskId", image.RamdiskId)
            .Value("platformDetails", PlatformDetails)
            .Value("usageOperation", UsageOperation);
        if (image.StateReasonCode is not null || image.StateReasonMessage is not null)
        {
            x.Start("stateReason").Value("code", image.StateReasonCode).Value("message", image.StateReasonMessage).End();
        }

        x.Value("name", image.Name)
            .Value("description", image.Description)
            .Value("rootDeviceType", image.RootDeviceType)
            .Value("rootDeviceName", image.RootDeviceName)
            .Set("blockDeviceMapping", image.BlockDeviceMappings, WriteMapping)
            .Value("virtualizationType", image.VirtualizationType)
            .Tags(imageTags)
            .Value("hypervisor", Hypervisor)
            .Value("enaSupport", image.EnaSupport)
            .Value("sriovNetSupport", image.SriovNetSupport)
            .Value("bootMode", image.BootMode)
            .Value("tpmSupport", image.TpmSupport)
            .Value("imdsSupport", image.ImdsSupport)
            .Value("sourceImageId", image.SourceImageId)
            .Value("sourceImageRegion", image.SourceImageRegion)
            .Value("deregistrationProtection", "disabled");
    }

    public static void WriteMapping(Ec2Xml x, BlockDeviceMapping mapping)
    {
        x.Value("deviceName", mapping.DeviceName).Value("virtualName", mapping.VirtualName).Value("noDevice", mapping.NoDevice);
        if (mapping.Ebs is { } ebs)
        {
            x.Start("ebs")
                .Value("snapshotId", ebs.SnapshotId)
                .Value("volumeSize", ebs.VolumeSize)
                .Value("deleteOnTermination", ebs.DeleteOnTermination)
                .Value("volumeType", ebs.VolumeType)
                .Value("iops", ebs.Iops)
                .Value("throughput", ebs.Throughput)
                .Value("kmsKeyId", ebs.KmsKeyId)
                .Value("encrypted", ebs.Encrypted)
                .End();
        }
    }
}
