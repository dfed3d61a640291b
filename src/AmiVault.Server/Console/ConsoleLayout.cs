namespace AmiVault.Console;

/// <summary>The frame of every page: navigation, the signed-in account, the page, and the AWS CLI that does the same.</summary>
internal static class ConsoleLayout
{
    private static readonly (string Section, string Label, string Path)[] Sections =
    [
        ("images", "Images", "/console/images"),
        ("snapshots", "Snapshots", "/console/snapshots"),
        ("store", "Store", "/console/store"),
        ("tasks", "Tasks", "/console/tasks"),
        ("restore", "Restore", "/console/restore"),
        ("buckets", "Buckets", "/console/buckets"),
    ];

    public static void Page(Html html, string title, string section, ConsoleSession? session, HtmlText body, IReadOnlyList<string> cli)
    {
        html.Add($"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{title} · AmiVault</title>
            <link rel="stylesheet" href="{ConsoleAssets.Css.Url}"><script src="{ConsoleAssets.Script.Url}" defer></script></head>
            <body><a class="skip" href="#main">Skip to content</a>
            <header class="top"><a class="brand" href="/console/images">AmiVault</a>
            """);
        if (session is not null)
        {
            html.Add($"<nav aria-label=\"Sections\"><ul>")
                .Each(Sections, (h, s) => h.Add($"<li><a href=\"{s.Path}\"{(s.Section == section ? new HtmlText(" aria-current=\"page\"") : HtmlText.Empty)}>{s.Label}</a></li>"))
                .Add($"""
                    </ul></nav>
                    <form class="signout" method="post" action="/console/signout"><span class="account" title="{session.Principal.Arn}, access key {session.AccessKeyId}">{(session.Principal.UserName is { } user ? "User " + user + " · account " : "Account ")}{session.Account.Id}</span>
                    <input type="hidden" name="csrf" value="{session.CsrfToken}"><button type="submit">Sign out</button></form>
                    """);
        }

        html.Add($"</header><main id=\"main\"><h1>{title}</h1>").Add(body);
        if (cli.Count > 0)
        {
            html.Add($"<section class=\"cli\" aria-label=\"AWS CLI equivalent\"><h2>The same with the AWS CLI</h2><pre><code>")
                .Each(cli, (h, line) => h.Add($"{line}\n"))
                .Add($"</code></pre></section>");
        }

        html.Add($"</main></body></html>");
    }

    /// <summary>A refusal as the API worded it: its code and message.</summary>
    public static HtmlText Refusal(ConsoleRefusal refusal) =>
        new Html().Add($"<div class=\"refusal\" role=\"alert\"><strong>{refusal.Code}</strong>: {refusal.Message}</div>");

    public static HtmlText Progress(int percent, string label) =>
        new Html().Add($"<span class=\"progress\"><progress max=\"100\" value=\"{percent}\" aria-label=\"{label}\">{percent}%</progress> <span class=\"percent\">{percent}%</span></span>");

    public static HtmlText State(string state) => new Html().Add($"<span class=\"state state-{state.ToLowerInvariant()}\">{state}</span>");

    public static HtmlText Tags(IEnumerable<KeyValuePair<string, string>> tags) =>
        new Html().Each(tags, (h, t) => h.Add($"<span class=\"tag\">{t.Key}={t.Value}</span> "));

    public static HtmlText Link(string href, string text, string cssClass = "") =>
        new Html().Add($"<a class=\"{cssClass}\" href=\"{href}\">{text}</a>");

    /// <summary>The attribute that has the page's script refresh an element from <paramref name="url"/> while something runs.</summary>
    public static HtmlText LiveWhile(bool running, string url) =>
        running ? new Html().Add($" data-live=\"{url}\"") : HtmlText.Empty;

    public static string Time(DateTimeOffset? time) => time?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture) ?? "";
}
