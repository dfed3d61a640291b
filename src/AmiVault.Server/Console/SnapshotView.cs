using System.Xml.Linq;

namespace AmiVault.Console;

/// <summary>A snapshot as DescribeSnapshots answered it.</summary>
internal sealed record SnapshotView(
    string Id,
    string State,
    int Progress,
    long VolumeSizeGib,
    DateTimeOffset? Started,
    string? Description,
    string? StatusMessage,
    bool Encrypted,
    IReadOnlyList<KeyValuePair<string, string>> Tags)
{
    public static SnapshotView From(XElement item) => new(
        ConsoleEc2.Text(item, "snapshotId") ?? "",
        ConsoleEc2.Text(item, "status") ?? "",
        int.TryParse((ConsoleEc2.Text(item, "progress") ?? "").TrimEnd('%'), out var progress) ? progress : 0,
        ConsoleEc2.Long(item, "volumeSize"),
        ConsoleEc2.Time(item, "startTime"),
        ConsoleEc2.Text(item, "description"),
        ConsoleEc2.Text(item, "statusMessage"),
        ConsoleEc2.Text(item, "encrypted") == "true",
        ConsoleEc2.Tags(item));
}
