using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;

namespace AmiVault.Console;

/// <summary>
/// An HTML page being written. Text interpolated into <see cref="Add"/> is HTML-encoded unless it is already
/// <see cref="HtmlText"/>, so a name, tag or error message from a user can never become markup.
/// </summary>
internal sealed class Html
{
    private readonly StringBuilder _text = new(16 * 1024);

    public Html Add([InterpolatedStringHandlerArgument("")] ref HtmlHandler html) => this;

    public Html Add(HtmlText trusted)
    {
        _text.Append(trusted.Value);
        return this;
    }

    /// <summary>Writes each item with <paramref name="write"/>.</summary>
    public Html Each<T>(IEnumerable<T> items, Action<Html, T> write)
    {
        foreach (var item in items)
        {
            write(this, item);
        }

        return this;
    }

    public Html If(bool condition, Action<Html> write)
    {
        if (condition)
        {
            write(this);
        }

        return this;
    }

    public override string ToString() => _text.ToString();

    /// <summary>Text made safe for an element's content or a quoted attribute.</summary>
    public static string Encode(string? text) => WebUtility.HtmlEncode(text ?? "");

    internal void AppendRaw(string? text) => _text.Append(text);

    internal void AppendEncoded(string? text)
    {
        if (text is not null)
        {
            _text.Append(WebUtility.HtmlEncode(text));
        }
    }

    [InterpolatedStringHandler]
    internal ref struct HtmlHandler
    {
        private readonly Html _html;

        public HtmlHandler(int literalLength, int formattedCount, Html html)
        {
            _html = html;
        }

        public readonly void AppendLiteral(string literal) => _html.AppendRaw(literal);

        public readonly void AppendFormatted(HtmlText trusted) => _html.AppendRaw(trusted.Value);

        public readonly void AppendFormatted(string? text) => _html.AppendEncoded(text);

        public readonly void AppendFormatted<T>(T value, string? format = null) where T : IFormattable =>
            _html.AppendEncoded(value.ToString(format, CultureInfo.InvariantCulture));
    }
}
