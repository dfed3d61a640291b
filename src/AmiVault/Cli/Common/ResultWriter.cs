using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AmiVault.Cli.Common;

/// <summary>
/// Writes a command's result the way the AWS CLI writes a response: `json` (indented, the default), `text` (tab
/// separated: one line of the scalar fields, then one line per nested item led by its field name in capitals, for
/// grep and cut), or `table` (boxed, for people).
/// </summary>
internal static class ResultWriter
{
    /// <summary>As the AWS CLI prints: an ETag is `"\"abc\""`, not `"\u0022abc\u0022"` (output for a terminal, not HTML).</summary>
    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        IndentSize = 4,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Write(TextWriter output, OutputFormat format, string title, JsonObject result)
    {
        switch (format)
        {
            case OutputFormat.Text:
                WriteText(output, result, null);
                break;
            case OutputFormat.Table:
                WriteTable(output, title, result);
                break;
            default:
                output.WriteLine(result.ToJsonString(Indented));
                break;
        }

        output.Flush();
    }

    private static void WriteText(TextWriter output, JsonObject value, string? label)
    {
        var scalars = value.Where(p => p.Value is not JsonObject and not JsonArray).Select(p => Scalar(p.Value)).ToList();
        if (scalars.Count > 0)
        {
            output.WriteLine(string.Join('\t', label is null ? scalars : scalars.Prepend(label)));
        }

        foreach (var (name, child) in value)
        {
            var upper = name.ToUpperInvariant();
            switch (child)
            {
                case JsonObject nested:
                    WriteText(output, nested, upper);
                    break;
                case JsonArray list:
                    foreach (var item in list)
                    {
                        if (item is JsonObject element)
                        {
                            WriteText(output, element, upper);
                        }
                        else
                        {
                            output.WriteLine($"{upper}\t{Scalar(item)}");
                        }
                    }

                    break;
            }
        }
    }

    private static void WriteTable(TextWriter output, string title, JsonObject value)
    {
        var rows = value.Where(p => p.Value is not JsonObject and not JsonArray).Select(p => new[] { p.Key, Scalar(p.Value) }).ToList();
        WriteBox(output, title, null, rows);
        foreach (var (name, child) in value)
        {
            switch (child)
            {
                case JsonObject nested:
                    WriteBox(output, name, null, [.. nested.Select(p => new[] { p.Key, Scalar(p.Value) })]);
                    break;
                case JsonArray list when list.Count > 0:
                    var columns = list.OfType<JsonObject>().SelectMany(o => o.Select(p => p.Key)).Distinct().ToArray();
                    if (columns.Length == 0)
                    {
                        WriteBox(output, name, null, [.. list.Select(i => new[] { Scalar(i) })]);
                    }
                    else
                    {
                        WriteBox(output, name, columns, [.. list.OfType<JsonObject>().Select(o => columns.Select(c => Scalar(o[c])).ToArray())]);
                    }

                    break;
            }
        }
    }

    /// <summary>A titled box; with <paramref name="header"/> a row of column names, else rows of name | value.</summary>
    private static void WriteBox(TextWriter output, string title, string[]? header, List<string[]> rows)
    {
        var columns = Math.Max(header?.Length ?? 0, rows.Count == 0 ? 1 : rows.Max(r => r.Length));
        var widths = new int[columns];
        foreach (var row in header is null ? rows : rows.Prepend(header))
        {
            for (var c = 0; c < row.Length; c++)
            {
                widths[c] = Math.Max(widths[c], row[c].Length);
            }
        }

        var inner = Math.Max(title.Length + 2, widths.Sum(w => w + 2) + columns - 1);
        widths[^1] += inner - (widths.Sum(w => w + 2) + columns - 1);
        var rule = "+" + string.Join('+', widths.Select(w => new string('-', w + 2))) + "+";
        output.WriteLine(new string('-', inner + 2));
        var padding = inner - title.Length;
        output.WriteLine("|" + new string(' ', padding / 2) + title + new string(' ', padding - padding / 2) + "|");
        output.WriteLine(rule);
        if (header is not null)
        {
            output.WriteLine(Row(header, widths));
            output.WriteLine(rule);
        }

        foreach (var row in rows)
        {
            output.WriteLine(Row(row, widths));
        }

        output.WriteLine(rule);
    }

    private static string Row(string[] cells, int[] widths)
    {
        var line = new StringBuilder("|");
        for (var c = 0; c < widths.Length; c++)
        {
            line.Append(' ').Append((c < cells.Length ? cells[c] : "").PadRight(widths[c])).Append(" |");
        }

        return line.ToString();
    }

    private static string Scalar(JsonNode? node) => node switch
    {
        null => "None",
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        JsonValue value when value.TryGetValue<bool>(out var flag) => flag ? "True" : "False",
        _ => node.ToJsonString(),
    };
}
