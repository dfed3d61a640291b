using System.Xml.Linq;

namespace AmiVault.Console;

/// <summary>An image as DescribeImages answered it, with what the console shows of it.</summary>
internal sealed record ImageView(
    string Id,
    string Name,
    string State,
    DateTimeOffset? Created,
    string? Description,
    string? Architecture,
    string? BootMode,
    string? VirtualizationType,
    string? RootDeviceName,
    string? SourceImageId,
    string? SourceImageRegion,
    string? StateReason,
    IReadOnlyList<MappingView> Mappings,
    IReadOnlyList<KeyValuePair<string, string>> Tags)
{
    /// <summary>The volumes' total size: what a store reads and a restore writes at most.</summary>
    public long SizeGib => Mappings.Sum(m => m.VolumeSizeGib);

    public static ImageView From(XElement item) => new(
        ConsoleEc2.Text(item, "imageId") ?? "",
        ConsoleEc2.Text(item, "name") ?? "",
        ConsoleEc2.Text(item, "imageState") ?? "",
        ConsoleEc2.Time(item, "creationDate"),
        ConsoleEc2.Text(item, "description"),
        ConsoleEc2.Text(item, "architecture"),
        ConsoleEc2.Text(item, "bootMode"),
        ConsoleEc2.Text(item, "virtualizationType"),
        ConsoleEc2.Text(item, "rootDeviceName"),
        ConsoleEc2.Text(item, "sourceImageId"),
        ConsoleEc2.Text(item, "sourceImageRegion"),
        ConsoleEc2.Child(item, "stateReason") is { } reason ? ConsoleEc2.Text(reason, "message") : null,
        [.. ConsoleEc2.Items(item, "blockDeviceMapping").Select(MappingView.From)],
        ConsoleEc2.Tags(item));
}
