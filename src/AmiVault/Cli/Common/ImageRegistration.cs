using Amazon.EC2;
using Amazon.EC2.Model;

namespace AmiVault.Cli.Common;

/// <summary>RegisterImage for an imported disk: an EBS-backed HVM image with the snapshot as its root volume.</summary>
internal sealed record ImageRegistration(string Name, string SnapshotId, string Architecture = "x86_64", string? BootMode = null, string? Description = null)
{
    public const string RootDevice = "/dev/xvda";

    public async Task<string> RegisterAsync(IAmazonEC2 ec2, CancellationToken cancellationToken)
    {
        var request = new RegisterImageRequest
        {
            Name = Name,
            Description = Description,
            Architecture = Architecture,
            VirtualizationType = "hvm",
            RootDeviceName = RootDevice,
            EnaSupport = true,
            BlockDeviceMappings =
            [
                new BlockDeviceMapping
                {
                    DeviceName = RootDevice,
                    Ebs = new EbsBlockDevice { SnapshotId = SnapshotId, VolumeType = VolumeType.Gp3, DeleteOnTermination = true },
                },
            ],
        };
        if (BootMode is not null)
        {
            request.BootMode = BootMode;
        }

        try
        {
            return (await ec2.RegisterImageAsync(request, cancellationToken)).ImageId;
        }
        catch (AmazonEC2Exception e) when (e.ErrorCode == "InvalidAMIName.Duplicate")
        {
            // A retry whose first attempt registered the image but lost the answer meets its own image: the one of
            // this name on this very snapshot is ours. Another image of the name is a real conflict.
            if (await RegisteredAlreadyAsync(ec2, cancellationToken) is { } ours)
            {
                return ours;
            }

            throw;
        }
    }

    private async Task<string?> RegisteredAlreadyAsync(IAmazonEC2 ec2, CancellationToken cancellationToken)
    {
        var images = await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["self"], Filters = [new Filter("name", [Name])] }, cancellationToken);
        return images.Images?.FirstOrDefault(i => i.BlockDeviceMappings?.Any(m => m.DeviceName == RootDevice && m.Ebs?.SnapshotId == SnapshotId) == true)?.ImageId;
    }

    /// <summary>The same call as an AWS CLI command line.</summary>
    public string AwsCli(string connection) =>
        $"aws ec2 register-image --name '{Name}' --architecture {Architecture} --virtualization-type hvm --ena-support"
        + $" --root-device-name {RootDevice} --block-device-mappings 'DeviceName={RootDevice},Ebs={{SnapshotId={SnapshotId},VolumeType=gp3}}'"
        + (BootMode is null ? "" : $" --boot-mode {BootMode}") + connection;
}
