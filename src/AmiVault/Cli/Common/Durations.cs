using System.Globalization;
using System.Text.RegularExpressions;

namespace AmiVault.Cli.Common;

/// <summary>Intervals and ages as people write them on a command line: 90s, 30m, 12h, 7d, 2w.</summary>
internal static partial class Durations
{
    public static TimeSpan Parse(string text, string option)
    {
        var match = Shape().Match(text.Trim());
        if (!match.Success || !long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count is 0 or > 100_000)
        {
            throw CliException.Usage($"{option} '{text}' is not an interval: write a whole number with s, m, h, d or w (90s, 30m, 12h, 7d).");
        }

        return match.Groups[2].Value switch
        {
            "s" => TimeSpan.FromSeconds(count),
            "m" => TimeSpan.FromMinutes(count),
            "h" => TimeSpan.FromHours(count),
            "d" => TimeSpan.FromDays(count),
            _ => TimeSpan.FromDays(count * 7),
        };
    }

    /// <summary>An age (7d: since seven days before <paramref name="now"/>) or a UTC date or date-time.</summary>
    public static DateTimeOffset Since(string text, DateTimeOffset now, string option) =>
        Shape().IsMatch(text.Trim()) ? now - Parse(text, option)
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time
        : throw CliException.Usage($"{option} '{text}' is neither an age (12h, 7d) nor a date (2026-11-01, 2026-11-01T12:00:00Z).");

    [GeneratedRegex(@"^([0-9]+)([smhdw])$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
