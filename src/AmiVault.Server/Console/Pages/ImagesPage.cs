namespace AmiVault.Console.Pages;

/// <summary>The account's images, searched by name, tag and state through DescribeImages filters.</summary>
internal static class ImagesPage
{
    public static readonly string[] States = ["available", "pending", "failed", "invalid", "deregistered", "error"];

    public static async Task RenderAsync(ConsoleRequest r)
    {
        var name = r.Query("name");
        var tag = r.Query("tag");
        var state = r.Query("state");
        var filters = new List<(string Name, string Value)>();
        if (name.Length > 0)
        {
            filters.Add(("name", name.Contains('*') || name.Contains('?') ? name : $"*{name}*"));
        }

        if (tag.Length > 0)
        {
            var equals = tag.IndexOf('=');
            filters.Add(equals > 0 ? ("tag:" + tag[..equals], tag[(equals + 1)..]) : ("tag-key", tag));
        }

        if (States.Contains(state))
        {
            filters.Add(("state", state));
        }

        var images = await r.Api.ImagesAsync(filters);
        var body = new Html().Add($"""
            <form class="search" method="get" action="/console/images" role="search">
            <label>Name <input name="name" value="{name}" placeholder="web-*"></label>
            <label>Tag <input name="tag" value="{tag}" placeholder="team=platform"></label>
            <label>State <select name="state"><option value="">any</option>
            """)
            .Each(States, (h, s) => h.Add($"<option{(s == state ? new HtmlText(" selected") : HtmlText.Empty)}>{s}</option>"))
            .Add($"""
            </select></label><button type="submit">Search</button></form>
            <p class="count">{images.Count} image{(images.Count == 1 ? "" : "s")}</p>
            <div class="scroll"><table class="list"><thead><tr><th>Name</th><th class="wide">Image ID</th><th>State</th><th class="wide">Created</th><th class="num">Size</th><th class="wide">Tags</th><th><span class="sr">Actions</span></th></tr></thead><tbody>
            """)
            .Each(images, (h, i) => h.Add($"""
                <tr><td><a href="/console/images/{i.Id}">{(i.Name.Length > 0 ? i.Name : i.Id)}</a></td><td class="id wide">{i.Id}</td><td>{ConsoleLayout.State(i.State)}</td>
                <td class="wide">{ConsoleLayout.Time(i.Created)}</td><td class="num">{i.SizeGib} GiB</td><td class="wide">{ConsoleLayout.Tags(i.Tags)}</td>
                <td>{(i.State == "available" ? ConsoleLayout.Link($"/console/store?image={i.Id}", "Store", "action") : HtmlText.Empty)}</td></tr>
                """))
            .Add($"</tbody></table></div>");

        var arguments = new List<CliArgument> { ("--owners", "self") };
        if (filters.Count > 0)
        {
            arguments.Add(new("--filters", [.. filters.Select(f => $"Name={f.Name},Values={f.Value}")]));
        }

        await r.PageAsync("Images", "images", body, [r.Cli("ec2", "describe-images", [.. arguments])]);
    }
}
