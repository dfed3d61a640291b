using AmiVault.Signing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace AmiVault.Auth;

/// <summary>The SigV4 canonical request of a request as it arrived on the wire (what its client signed).</summary>
internal static class WireCanonicalRequest
{
    public static string StringToSign(HttpRequest request, SigV4Request sig, string payloadHash) =>
        CanonicalRequest.StringToSign(sig.AmzDate, sig.Scope, Build(request, sig, payloadHash));

    public static string Build(HttpRequest request, SigV4Request sig, string payloadHash)
    {
        // The raw target is what the client signed; the decoded Path would lose the encoding it chose.
        var rawTarget = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path + request.QueryString;
        var queryStart = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var rawPath = queryStart < 0 ? rawTarget : rawTarget[..queryStart];
        var rawQuery = queryStart < 0 ? "" : rawTarget[(queryStart + 1)..];
        var headers = sig.SignedHeaders.Select(name => KeyValuePair.Create(name, HeaderValues(request, name))).ToList();
        return CanonicalRequest.Compose(request.Method, rawPath, rawQuery, sig.Service, sig.IsPresigned, headers, payloadHash);
    }

    private static IReadOnlyList<string> HeaderValues(HttpRequest request, string name)
    {
        var values = request.Headers[name];
        if (name == "host" && values.Count == 0)
        {
            return [request.Host.Value ?? ""];
        }

        return [.. values.Select(v => v ?? "")];
    }
}
