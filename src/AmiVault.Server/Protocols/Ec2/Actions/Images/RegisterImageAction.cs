using AmiVault.Catalog;

namespace AmiVault.Protocols.Ec2.Actions.Images;

/// <summary>
/// RegisterImage for EBS-backed images made of the caller's completed snapshots. Defaults are EC2's documented ones
/// (architecture i386, paravirtual). Instance-store registration (ImageLocation) is refused: this server keeps no
/// bundles in S3.
/// </summary>
internal sealed class RegisterImageAction(
    IImageCatalog images,
    ITagCatalog tags,
    BlockDeviceMappingReader mappingReader,
    TimeProvider time) : IEc2Action
{
    public const string DefaultArchitecture = "i386";
    public const string DefaultVirtualizationType = "paravirtual";

    public static readonly string[] Architectures = ["i386", "x86_64", "arm64", "x86_64_mac", "arm64_mac"];

    public string Name => "RegisterImage";

    public async Task ExecuteAsync(Ec2Call call)
    {
        var p = call.Parameters;
        if (!string.IsNullOrEmpty(p.Get("ImageLocation")))
        {
            throw new Ec2Exception("UnsupportedOperation",
                "Instance store-backed AMIs (ImageLocation) are not supported; register an EBS-backed AMI from snapshots with RootDeviceName and BlockDeviceMapping.N.Ebs.SnapshotId.");
        }

        if (p.List("BillingProduct").Count > 0)
        {
            throw new Ec2Exception("UnsupportedOperation", "Billing products are not supported.");
        }

        var name = p.Required("Name");
        Ec2Validation.ImageName(name);
        var description = p.Get("Description");
        Ec2Validation.MaxLength("Description", description, 255);
        var uefiData = p.Get("UefiData");
        Ec2Validation.MaxLength("UefiData", uefiData, 64000);
        var bootMode = p.OneOf("BootMode", "legacy-bios", "uefi", "uefi-preferred");
        var tpmSupport = p.OneOf("TpmSupport", "v2.0");
        if (tpmSupport is not null && bootMode is not ("uefi" or "uefi-preferred"))
        {
            throw new Ec2Exception("InvalidParameterCombination", "TpmSupport v2.0 requires BootMode uefi or uefi-preferred.");
        }

        var kernelId = p.Get("KernelId");
        var ramdiskId = p.Get("RamdiskId");
        CheckOptionalId("KernelId", kernelId, "aki");
        CheckOptionalId("RamdiskId", ramdiskId, "ari");
        var rootDeviceName = p.Required("RootDeviceName");
        var tagSpecifications = p.TagSpecifications("image", "snapshot");
        var mappings = await mappingReader.ReadAsync(call);
        if (mappings.Find(m => m.DeviceName == rootDeviceName)?.Ebs?.SnapshotId is null)
        {
            throw new Ec2Exception("InvalidBlockDeviceMapping",
                $"The root device {rootDeviceName} needs a block device mapping with Ebs.SnapshotId.");
        }

        var image = new ImageRecord
        {
            ImageId = ResourceIds.New(ResourceIds.Image),
            OwnerId = call.AccountId,
            Name = name,
            Description = description,
            Architecture = p.OneOf("Architecture", Architectures) ?? DefaultArchitecture,
            VirtualizationType = p.OneOf("VirtualizationType", "hvm", "paravirtual") ?? DefaultVirtualizationType,
            BootMode = bootMode,
            TpmSupport = tpmSupport,
            ImdsSupport = p.OneOf("ImdsSupport", "v2.0"),
            UefiData = uefiData,
            EnaSupport = p.Bool("EnaSupport"),
            SriovNetSupport = p.OneOf("SriovNetSupport", "simple"),
            KernelId = kernelId,
            RamdiskId = ramdiskId,
            RootDeviceName = rootDeviceName,
            RootDeviceType = "ebs",
            State = "available",
            CreationDate = time.GetUtcNow(),
            BlockDeviceMappings = mappings,
        };

        await CheckNameIsFreeAsync(call, name);
        var imageTags = tagSpecifications.GetValueOrDefault("image") ?? [];
        Ec2Validation.TagCount(image.ImageId, [], imageTags);
        var snapshotTags = tagSpecifications.GetValueOrDefault("snapshot") ?? [];
        var snapshotIds = image.SnapshotIds.Distinct().ToList();
        if (snapshotTags.Count > 0)
        {
            var existing = await tags.GetManyAsync(snapshotIds, call.Aborted);
            foreach (var snapshotId in snapshotIds)
            {
                Ec2Validation.TagCount(snapshotId, (existing.GetValueOrDefault(snapshotId) ?? []).Select(t => t.Key), snapshotTags);
            }
        }

        call.EndIfDryRun();
        try
        {
            await images.InsertAsync(image, imageTags, call.Aborted);
        }
        catch (CatalogConflictException e)
        {
            // Lost a race with another RegisterImage of the same name or with a DeleteSnapshot.
            await CheckNameIsFreeAsync(call, name);
            throw new Ec2Exception("InvalidSnapshot.NotFound", e.Message);
        }

        // After the image, so a refused registration never leaves tags behind; EC2 applies them to every mapped snapshot.
        foreach (var snapshotId in snapshotTags.Count > 0 ? snapshotIds : [])
        {
            await tags.SetAsync(call.AccountId, snapshotId, snapshotTags, call.Aborted);
        }

        await call.RespondAsync(x => x.Value("imageId", image.ImageId));
    }

    private static void CheckOptionalId(string parameter, string? id, string prefix)
    {
        if (id is not null && !ResourceIds.IsWellFormed(id, prefix))
        {
            throw Ec2Exception.InvalidValue(parameter, id, $"Expected an id like {prefix}-0123456789abcdef0.");
        }
    }

    private async Task CheckNameIsFreeAsync(Ec2Call call, string name)
    {
        if (await images.FindByNameAsync(call.AccountId, name, call.Aborted) is { } existing)
        {
            throw new Ec2Exception("InvalidAMIName.Duplicate", $"AMI name {name} is already in use by AMI {existing.ImageId}");
        }
    }
}
