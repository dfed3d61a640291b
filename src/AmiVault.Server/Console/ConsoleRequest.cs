using System.Diagnostics;
using System.Globalization;
using System.Text;
using AmiVault.ObjectStore;
using Microsoft.AspNetCore.Http;

namespace AmiVault.Console;

/// <summary>One signed-in request: the session, the API as its account, its buckets, and how pages are answered.</summary>
internal sealed class ConsoleRequest(HttpContext http, ConsoleSession session, ConsoleApi api, IObjectStore buckets, DateTimeOffset now, long started)
{
    public HttpContext Http { get; } = http;

    public ConsoleSession Session { get; } = session;

    public ConsoleApi Api { get; } = api;

    /// <summary>The account's buckets, as the store and restore tasks reach them.</summary>
    public IObjectStore Buckets { get; } = buckets;

    public CancellationToken Aborted => Http.RequestAborted;

    /// <summary>When the request arrived, by the server's clock.</summary>
    public DateTimeOffset Now { get; } = now;

    /// <summary>The URL the AWS CLI would be pointed at: this server, as the browser reached it.</summary>
    public string EndpointUrl => $"{Http.Request.Scheme}://{Http.Request.Host}";

    public string Query(string name) => Http.Request.Query[name].ToString().Trim();

    public string Cli(string service, string operation, params CliArgument[] arguments) =>
        AwsCli.Command(EndpointUrl, service, operation, arguments);

    /// <summary>The hidden field every state-changing form carries.</summary>
    public HtmlText CsrfField => new($"<input type=\"hidden\" name=\"csrf\" value=\"{Html.Encode(Session.CsrfToken)}\">");

    public Task PageAsync(string title, string section, HtmlText body, IReadOnlyList<string> cli, int status = StatusCodes.Status200OK)
    {
        var html = new Html();
        ConsoleLayout.Page(html, title, section, Session, body, cli);
        return WriteAsync(html.ToString(), status);
    }

    /// <summary>A piece of a page, fetched by the page's script to refresh a live region.</summary>
    public Task FragmentAsync(HtmlText fragment) => WriteAsync(fragment.Value, StatusCodes.Status200OK);

    private async Task WriteAsync(string text, int status)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var response = Http.Response;
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        response.ContentLength = bytes.Length;
        response.Headers["Server-Timing"] = string.Create(CultureInfo.InvariantCulture,
            $"api;dur={Api.Elapsed.TotalMilliseconds:0.0};desc=\"EC2 actions\", app;dur={Stopwatch.GetElapsedTime(started).TotalMilliseconds:0.0};desc=\"whole page\"");
        await response.Body.WriteAsync(bytes, Aborted);
    }
}
