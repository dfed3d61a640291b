using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using AmiVault.Auth;
using AmiVault.Configuration;
using AmiVault.Iam.Policies;
using AmiVault.Console.Pages;
using AmiVault.Iam;
using AmiVault.ObjectStore;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AmiVault.Console;

/// <summary>
/// The web console under /console/: sign-in, the session cookie, CSRF checks, and routing to the pages. Requests
/// signed with SigV4 never come here (a bucket named "console" stays reachable through S3).
/// </summary>
internal sealed class ConsoleApp(
    ConsoleSessions sessions,
    ConsoleSignIn signIn,
    ConsoleEc2 ec2,
    ConsoleSsm ssm,
    IObjectStoreProvider objectStores,
    Authorizer authorizer,
    ServerContext server,
    TimeProvider time,
    ILogger<ConsoleApp> logger)
{
    public const string Root = "/console";
    public const string SessionCookie = "amivault-console";
    private const string SignInCookie = "amivault-console-signin";
    private const long MaxFormBytes = 64 * 1024;

    public static bool Claims(HttpRequest request) =>
        request.Path.StartsWithSegments(Root) && SigV4Request.PeekService(request) is null;

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var path = context.Request.Path.Value![Root.Length..];
        var method = context.Request.Method;
        SetSecurityHeaders(context.Response);
        try
        {
            if (path == "")
            {
                Redirect(context, Root + "/");
                return;
            }

            if (ConsoleAssets.Find(path) is { } asset && HttpMethods.IsGet(method))
            {
                await ServeAssetAsync(context, asset);
                return;
            }

            if (path == "/signin")
            {
                await SignInAsync(context);
                return;
            }

            var session = sessions.Find(context.Request.Cookies[SessionCookie]);
            if (session is not null && signIn.StillValid(session) is null)
            {
                sessions.End(session.Id);
                session = null;
            }

            if (session is null)
            {
                if (HttpMethods.IsGet(method))
                {
                    Redirect(context, Root + "/signin?next=" + Uri.EscapeDataString(path + context.Request.QueryString));
                }
                else
                {
                    await PlainAsync(context, StatusCodes.Status403Forbidden, "Not signed in, or the session has ended. Sign in again.");
                }

                return;
            }

            IFormCollection? form = null;
            if (!HttpMethods.IsGet(method))
            {
                form = await ReadFormAsync(context);
                if (form is null || !TokensEqual(form["csrf"].ToString(), session.CsrfToken))
                {
                    logger.LogWarning("Console {Method} {Path} refused: missing or wrong CSRF token", method, path);
                    await PlainAsync(context, StatusCodes.Status403Forbidden, "Refused: this form did not carry the console's CSRF token. Reload the page and try again.");
                    return;
                }
            }

            if (path == "/signout" && form is not null)
            {
                sessions.End(session.Id);
                context.Response.Cookies.Delete(SessionCookie, CookieOptions(context, TimeSpan.Zero));
                Redirect(context, Root + "/signin");
                return;
            }

            // Both ways the console reaches data are authorized for the signed-in principal as the API would: EC2
            // actions inside Ec2Endpoint, bucket reads by the same Authorizer with the S3 actions S3Endpoint names.
            var request = new ConsoleRequest(context, session, new ConsoleApi(ec2, ssm, session, context),
                new AuthorizedObjectStore(objectStores.ForAccount(session.Account.Id), authorizer, server, session.Principal, Facts(context, session)),
                time.GetUtcNow(), started);
            bool found;
            try
            {
                found = await RouteAsync(request, path, form);
            }
            catch (Exception e) when (!context.Response.HasStarted && Refusal(e) is { } refusal)
            {
                // The principal may not do what the page needs (an IAM policy): the API's own error, on the page.
                await request.PageAsync("Not allowed", "", ConsoleLayout.Refusal(refusal), [], StatusCodes.Status403Forbidden);
                return;
            }

            if (!found)
            {
                await request.PageAsync("Not found", "", new HtmlText("<p>There is no such page. <a href=\"/console/images\">Images</a></p>"), [], StatusCodes.Status404NotFound);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The browser went away.
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            logger.LogError(e, "Console failure serving {Method} {Path}", method, path);
            context.Response.Clear();
            SetSecurityHeaders(context.Response);
            await PlainAsync(context, StatusCodes.Status500InternalServerError, "Something went wrong on the server; the details are in its log.");
        }
    }

    private static Task<bool> RouteAsync(ConsoleRequest request, string path, IFormCollection? form)
    {
        var segments = path.Trim('/').Split('/');
        return (segments, form) switch
        {
            ([""], null) => Done(() => Redirect(request.Http, Root + "/images")),
            (["images"], null) => Run(ImagesPage.RenderAsync(request)),
            (["images", var id], null) => Run(ImagePage.RenderAsync(request, id, fragment: false)),
            (["images", var id, "live"], null) => Run(ImagePage.RenderAsync(request, id, fragment: true)),
            (["snapshots"], null) => Run(SnapshotsPage.RenderAsync(request)),
            (["store"], var f) => Run(StorePage.RenderAsync(request, f)),
            (["store", "check"], null) => Run(StorePage.CheckAsync(request)),
            (["tasks"], null) => Run(TasksPage.RenderAsync(request, fragment: false)),
            (["tasks", "live"], null) => Run(TasksPage.RenderAsync(request, fragment: true)),
            (["restore"], var f) => Run(RestorePage.RenderAsync(request, f)),
            (["restore", "check"], null) => Run(RestorePage.CheckAsync(request)),
            (["buckets"], null) => Run(BucketsPage.RenderAsync(request)),
            _ => Task.FromResult(false),
        };

        static async Task<bool> Run(Task page)
        {
            await page;
            return true;
        }

        static Task<bool> Done(Action action)
        {
            action();
            return Task.FromResult(true);
        }
    }

    private async Task SignInAsync(HttpContext context)
    {
        var next = SafeNext(context.Request.Query["next"].ToString());
        if (HttpMethods.IsGet(context.Request.Method))
        {
            // A token tying the form to this browser, so another site cannot sign a browser in to the attacker's keys.
            var token = ConsoleSessions.NewToken();
            context.Response.Cookies.Append(SignInCookie, token, CookieOptions(context, TimeSpan.FromHours(1)));
            await SignInPage.RenderAsync(context, token, next, error: null);
            return;
        }

        var form = await ReadFormAsync(context);
        var expected = context.Request.Cookies[SignInCookie];
        if (form is null || string.IsNullOrEmpty(expected) || !TokensEqual(form["csrf"].ToString(), expected))
        {
            await PlainAsync(context, StatusCodes.Status403Forbidden, "Refused: the sign-in form did not carry its CSRF token. Reload the page and try again.");
            return;
        }

        var accessKeyId = form["accessKeyId"].ToString().Trim();
        var credential = signIn.Verify(accessKeyId, form["secretAccessKey"].ToString());
        if (credential is null)
        {
            logger.LogInformation("Console sign-in refused for access key {AccessKeyId}", form["accessKeyId"].ToString());
            await SignInPage.RenderAsync(context, expected, next,
                error: "The access key id and secret access key do not match an active key of this server (an account's root key or an IAM user's key).");
            return;
        }

        var session = sessions.Start(accessKeyId, credential);
        context.Response.Cookies.Delete(SignInCookie, CookieOptions(context, TimeSpan.Zero));
        context.Response.Cookies.Append(SessionCookie, session.Id, CookieOptions(context, ConsoleSessions.MaxAge));
        Redirect(context, Root + next);
    }

    private static ConsoleRefusal? Refusal(Exception e) => e switch
    {
        ConsoleRefusal refusal => refusal,
        ObjectStoreException { Code: "AccessDenied" } denied => new ConsoleRefusal(denied.Code, denied.Message),
        _ => null,
    };

    /// <summary>What policy conditions see of a console request: the browser's address and transport, the server's region.</summary>
    private RequestFacts Facts(HttpContext context, ConsoleSession session) =>
        authorizer.Facts(session.Principal, context.Connection.RemoteIpAddress, context.Request.IsHttps);

    /// <summary>Only a path inside the console: never an absolute or protocol-relative URL (no open redirect).</summary>
    private static string SafeNext(string next) =>
        next.StartsWith('/') && !next.StartsWith("//", StringComparison.Ordinal) && !next.Contains('\\') ? next : "/images";

    private static CookieOptions CookieOptions(HttpContext context, TimeSpan maxAge) => new()
    {
        HttpOnly = true,
        Secure = context.Request.IsHttps,
        SameSite = SameSiteMode.Strict,
        Path = Root,
        MaxAge = maxAge,
        IsEssential = true,
    };

    private static bool TokensEqual(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    private static async Task<IFormCollection?> ReadFormAsync(HttpContext context)
    {
        var request = context.Request;
        if (!HttpMethods.IsPost(request.Method) || !request.HasFormContentType || request.ContentLength is null or > MaxFormBytes)
        {
            return null;
        }

        return await request.ReadFormAsync(context.RequestAborted);
    }

    private static void SetSecurityHeaders(HttpResponse response)
    {
        var headers = response.Headers;
        headers.ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-store";
    }

    private static void Redirect(HttpContext context, string location)
    {
        context.Response.StatusCode = StatusCodes.Status303SeeOther;
        context.Response.Headers.Location = location;
    }

    private static async Task ServeAssetAsync(HttpContext context, ConsoleAsset asset)
    {
        context.Response.ContentType = asset.ContentType;
        context.Response.ContentLength = asset.Content.Length;
        context.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
        await context.Response.Body.WriteAsync(asset.Content, context.RequestAborted);
    }

    public static async Task PlainAsync(HttpContext context, int status, string message)
    {
        var bytes = Encoding.UTF8.GetBytes(message + "\n");
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
    }
}
