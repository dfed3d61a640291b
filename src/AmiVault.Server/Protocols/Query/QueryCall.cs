using System.Globalization;
using AmiVault.Auth;
using AmiVault.Configuration;
using Microsoft.AspNetCore.Http;

namespace AmiVault.Protocols.Query;

/// <summary>One IAM or STS request being served: its parameters, its caller, and the way to answer.</summary>
internal sealed class QueryCall(HttpContext context, IReadOnlyDictionary<string, string> parameters, RequestIdentity identity, string action, string requestId, string ns, ServerContext server)
{
    private const int MaxItems = 1000;

    public HttpContext Http => context;

    public RequestIdentity Identity => identity;

    public string AccountId => identity.Account.Id;

    public ServerContext Server => server;

    public string Action => action;

    public CancellationToken Aborted => context.RequestAborted;

    public string? Optional(string name) => parameters.TryGetValue(name, out var value) ? value : null;

    public string Required(string name) =>
        parameters.TryGetValue(name, out var value) && value.Length > 0 ? value : throw QueryException.MissingParameter(name);

    public int? Int(string name, int min, int max)
    {
        var text = Optional(name);
        if (text is null)
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw QueryException.Validation($"1 validation error detected: Value '{text}' at '{name}' failed to satisfy constraint: Member must have value between {min} and {max}");
    }

    /// <summary>A page of a name-ordered list by Marker (the last name given) and MaxItems, as IAM's List actions page.</summary>
    public (IReadOnlyList<T> Page, string? NextMarker) Page<T>(IEnumerable<T> items, Func<T, string> name)
    {
        var max = Int("MaxItems", 1, MaxItems) ?? 100;
        var marker = Optional("Marker");
        var rest = items.OrderBy(name, StringComparer.OrdinalIgnoreCase)
            .Where(i => marker is null || StringComparer.OrdinalIgnoreCase.Compare(name(i), marker) > 0)
            .Take(max + 1)
            .ToList();
        return rest.Count > max ? (rest[..max], name(rest[max - 1])) : (rest, null);
    }

    /// <summary>Answers `&lt;{Action}Response&gt;` with `&lt;{Action}Result&gt;` (when <paramref name="result"/> writes one) and the request id.</summary>
    public async Task RespondAsync(Action<QueryXml>? result = null)
    {
        using var xml = new QueryXml(action + "Response", ns);
        if (result is not null)
        {
            xml.Start(action + "Result");
            result(xml);
            xml.End();
        }

        xml.Start("ResponseMetadata").Value("RequestId", requestId).End();
        var bytes = xml.ToArray();
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "text/xml";
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
    }

    /// <summary>Writes a paged list's IsTruncated and Marker after its members.</summary>
    public static void Paging(QueryXml xml, string? nextMarker)
    {
        xml.Value("IsTruncated", nextMarker is not null);
        xml.Value("Marker", nextMarker);
    }
}
