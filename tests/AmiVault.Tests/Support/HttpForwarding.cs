using Microsoft.AspNetCore.Http;

namespace AmiVault.Tests.Support;

/// <summary>
/// How the test proxy (<see cref="Faults.FaultProxy"/>) passes a request on to the server behind it and its answer
/// back: every end-to-end header (the Host header too, so SigV4 signatures made for the proxy's address still verify
/// at the server), hop-by-hop headers dropped.
/// </summary>
internal static class HttpForwarding
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Expect", "Upgrade", "Proxy-Connection", "Host",
    };

    /// <summary>The request to send to <paramref name="target"/>, with <paramref name="body"/> as its body when it has one.</summary>
    public static HttpRequestMessage Request(HttpRequest request, Uri target, Stream body)
    {
        var forward = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(target, request.Path + request.QueryString));
        if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            forward.Content = new StreamContent(body);
        }
        else if (request.ContentLength == 0 || request.ContentType is not null)
        {
            // Content-Type may be signed: an empty body still needs a content to carry it.
            forward.Content = new ByteArrayContent([]);
        }

        foreach (var (name, values) in request.Headers)
        {
            if (HopByHop.Contains(name))
            {
                continue;
            }

            if (!forward.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                forward.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        forward.Headers.Host = request.Host.Value;
        return forward;
    }

    /// <summary>Status and end-to-end headers of <paramref name="response"/> onto the proxy's answer.</summary>
    public static void CopyStatusAndHeaders(HttpResponseMessage response, HttpResponse to)
    {
        to.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!HopByHop.Contains(name))
            {
                to.Headers[name] = values.ToArray();
            }
        }
    }
}
