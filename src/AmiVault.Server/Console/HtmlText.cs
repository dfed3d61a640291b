namespace AmiVault.Console;

/// <summary>Markup the console wrote itself, inserted into a page as is.</summary>
internal readonly record struct HtmlText(string Value)
{
    public static HtmlText Empty => new("");

    public static implicit operator HtmlText(Html html) => new(html.ToString());
}
