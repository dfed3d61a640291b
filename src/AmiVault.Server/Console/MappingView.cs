using System.Xml.Linq;

namespace AmiVault.Console;

/// <summary>One block device mapping of an image.</summary>
internal sealed record MappingView(string DeviceName, string? SnapshotId, long VolumeSizeGib, string? VolumeType, bool Encrypted)
{
    public static MappingView From(XElement item)
    {
        var ebs = ConsoleEc2.Child(item, "ebs");
        return new MappingView(
            ConsoleEc2.Text(item, "deviceName") ?? "",
            ebs is null ? null : ConsoleEc2.Text(ebs, "snapshotId"),
            ebs is null ? 0 : ConsoleEc2.Long(ebs, "volumeSize"),
            ebs is null ? ConsoleEc2.Text(item, "virtualName") : ConsoleEc2.Text(ebs, "volumeType"),
            ebs is not null && ConsoleEc2.Text(ebs, "encrypted") == "true");
    }
}
