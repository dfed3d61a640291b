using System.Text.Json.Nodes;

namespace AmiVault.Console;

/// <summary>Shows a JSON document (what `amivault inspect` prints) as HTML: scalars as a list of facts, lists of objects as tables.</summary>
internal static class JsonView
{
    public static HtmlText Render(JsonObject document)
    {
        var html = new Html().Add($"<dl class=\"facts\">");
        foreach (var (name, value) in document)
        {
            if (value is JsonObject inner)
            {
                html.Add($"<dt>{name}</dt><dd>").Each(inner, (h, p) => h.Add($"<span class=\"tag\">{p.Key}={p.Value?.ToString()}</span> ")).Add($"</dd>");
            }
            else if (value is not JsonArray)
            {
                html.Add($"<dt>{name}</dt><dd>{value?.ToString()}</dd>");
            }
        }

        html.Add($"</dl>");
        foreach (var (name, value) in document)
        {
            if (value is JsonArray rows)
            {
                html.Add($"<h3>{name}</h3>").Add(Table(rows));
            }
        }

        return html;
    }

    private static HtmlText Table(JsonArray rows)
    {
        var objects = rows.OfType<JsonObject>().ToList();
        if (objects.Count == 0)
        {
            return new Html().Add($"<p>None.</p>");
        }

        var columns = objects.SelectMany(o => o.Select(p => p.Key)).Distinct().ToList();
        return new Html().Add($"<div class=\"scroll\"><table class=\"list\"><thead><tr>")
            .Each(columns, (h, c) => h.Add($"<th>{c}</th>"))
            .Add($"</tr></thead><tbody>")
            .Each(objects, (h, o) => h.Add($"<tr>").Each(columns, (h2, c) => h2.Add($"<td>{o[c]?.ToString()}</td>")).Add($"</tr>"))
            .Add($"</tbody></table></div>");
    }
}
