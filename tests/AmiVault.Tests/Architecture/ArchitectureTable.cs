using System.Text.RegularExpressions;

namespace AmiVault.Tests.Architecture;

/// <summary>ARCHITECTURE.md's table of parts: rows whose first cell is a part in backticks.</summary>
internal static partial class ArchitectureTable
{
    public sealed record Row(string Assembly, IReadOnlySet<string> MayUse);

    public static IReadOnlyDictionary<string, Row> Read(string path)
    {
        var rows = new Dictionary<string, Row>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path))
        {
            var cells = line.Split('|');
            if (cells.Length < 6 || PartCell().Match(cells[1].Trim()) is not { Success: true } part)
            {
                continue;
            }

            var mayUse = Backticked().Matches(cells[4]).Select(m => m.Groups[1].Value).Where(u => u != "–").ToHashSet(StringComparer.Ordinal);
            rows[part.Groups[1].Value] = new Row(cells[2].Trim(), mayUse);
        }

        return rows;
    }

    [GeneratedRegex(@"^`([A-Za-z]+)`$")]
    private static partial Regex PartCell();

    [GeneratedRegex(@"`([A-Za-z]+)`")]
    private static partial Regex Backticked();
}
