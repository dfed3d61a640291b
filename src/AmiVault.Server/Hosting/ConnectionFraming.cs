using Microsoft.AspNetCore.Http;

namespace AmiVault.Hosting;

/// <summary>
/// Keeps a keep-alive connection's framing sound when a request is answered before its body was read (an auth failure,
/// a missing bucket, a refused EC2 request). Kestrel would then read the rest of the body before the next request;
/// but a client that sent `Expect: 100-continue` and got a final answer instead of 100 need not send that body at
/// all (boto3 does not), and the next request would be read as body: misread, or smuggled behind a pooling proxy. And
/// an unbounded rest (up to a 5 GiB part) is not worth reading only to throw away. So such an answer closes the
/// connection, unless what is left is a small body of known length that the client has been told to send.
/// </summary>
internal static class ConnectionFraming
{
    /// <summary>An unread rest up to this size is drained (cheaper than a new connection); a larger one closes it.</summary>
    private const long MaxDrainedBytes = 64 * 1024;

    /// <summary>Counts what the handlers read of the body and decides, as the answer starts, whether to close.</summary>
    public static void Guard(HttpContext context)
    {
        var counter = new RequestBodyReadCounter(context.Request.Body);
        context.Request.Body = counter;
        context.Response.OnStarting(() =>
        {
            if (MustClose(context.Request, counter))
            {
                // Kestrel then reads what comes of the body for a few seconds more (so that the close does not reset
                // the answer away) and ends the connection; nothing after this answer is read as a request.
                context.Response.Headers.Connection = "close";
            }

            return Task.CompletedTask;
        });
    }

    private static bool MustClose(HttpRequest request, RequestBodyReadCounter body)
    {
        if (body.Ended || !(HttpProtocol.IsHttp11(request.Protocol) || HttpProtocol.IsHttp10(request.Protocol)))
        {
            return false;
        }

        var unread = request.ContentLength - body.BytesRead;
        if (unread <= 0 || (unread is null && request.Headers.TransferEncoding.Count == 0))
        {
            return false;
        }

        if (body.BytesRead == 0 && request.Headers.Expect.ToString().Equals("100-continue", StringComparison.OrdinalIgnoreCase))
        {
            // The client waits for a 100 Continue that never came: it may never send the body.
            return true;
        }

        // A chunked rest is of unknown length; a long one is not worth reading only to throw away.
        return unread is null || unread > MaxDrainedBytes;
    }
}
