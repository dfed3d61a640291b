using AmiVault.Catalog;

namespace AmiVault.Protocols.Ec2.Actions.Images;

/// <summary>
/// DescribeImageAttribute of the caller's images and of those shared with it: the one way EC2 shows UefiData. The
/// launch permission (the accounts the image is shared with) is shown to its owner only; product codes are always
/// empty (nothing is sold), and no image was ever launched here.
/// </summary>
internal sealed class DescribeImageAttributeAction(OwnedResources owned, IResourceSharing sharing) : IEc2Action
{
    private static readonly string[] Attributes =
    [
        "description", "kernel", "ramdisk", "launchPermission", "productCodes", "blockDeviceMapping", "sriovNetSupport",
        "bootMode", "tpmSupport", "uefiData", "lastLaunchedTime", "imdsSupport", "deregistrationProtection",
    ];

    public string Name => "DescribeImageAttribute";

    public IReadOnlyList<string> ResourceIds(Ec2Parameters parameters) => parameters.Get("ImageId") is { } id ? [id] : [];

    public async Task ExecuteAsync(Ec2Call call)
    {
        var attribute = call.Parameters.OneOf("Attribute", Attributes) ?? throw Ec2Exception.Missing("Attribute");
        var imageId = call.Parameters.Required("ImageId");
        var launchPermission = attribute == Ec2PermissionAttribute.LaunchPermission.Name;
        var image = launchPermission
            ? await owned.ImageAsync(call.AccountId, imageId, call.Aborted)
            : await owned.UsableImageAsync(call.AccountId, imageId, call.Aborted);
        call.EndIfDryRun();
        var sharedWith = launchPermission ? await sharing.AccountsAsync(image.ImageId, call.Aborted) : [];
        await call.RespondAsync(x =>
        {
            x.Value("imageId", image.ImageId);
            _ = attribute switch
            {
                "launchPermission" => Ec2PermissionAttribute.LaunchPermission.Write(x, sharedWith),
                "productCodes" => x.Set(attribute, Array.Empty<string>(), (_, _) => { }),
                "blockDeviceMapping" => x.Set(attribute, image.BlockDeviceMappings, DescribeImagesAction.WriteMapping),
                _ => x.Start(attribute).Value("value", Value(image, attribute)).End(),
            };
        });
    }

    private static string? Value(ImageRecord image, string attribute) => attribute switch
    {
        "description" => image.Description,
        "kernel" => image.KernelId,
        "ramdisk" => image.RamdiskId,
        "sriovNetSupport" => image.SriovNetSupport,
        "bootMode" => image.BootMode,
        "tpmSupport" => image.TpmSupport,
        "uefiData" => image.UefiData,
        "imdsSupport" => image.ImdsSupport,
        "deregistrationProtection" => "disabled",
        _ => null,
    };
}
