using System.Text;
using Microsoft.AspNetCore.Http;

namespace AmiVault.Console.Pages;

/// <summary>Sign-in with an access key id and secret access key, the keys the AWS CLI is configured with.</summary>
internal static class SignInPage
{
    public static async Task RenderAsync(HttpContext context, string csrfToken, string next, string? error)
    {
        var body = new Html();
        if (error is not null)
        {
            body.Add($"<div class=\"refusal\" role=\"alert\">{error}</div>");
        }

        body.Add($"""
            <form class="signin" method="post" action="/console/signin?next={Uri.EscapeDataString(next)}">
            <input type="hidden" name="csrf" value="{csrfToken}">
            <label for="accessKeyId">Access key ID</label>
            <input id="accessKeyId" name="accessKeyId" autocomplete="username" spellcheck="false" required autofocus>
            <label for="secretAccessKey">Secret access key</label>
            <input id="secretAccessKey" name="secretAccessKey" type="password" autocomplete="current-password" required>
            <button type="submit">Sign in</button>
            </form>
            <p class="hint">The keys you give the AWS CLI (<code>aws configure</code>). With no accounts configured, <code>amivault serve</code> printed its development keys when it started.</p>
            """);
        var html = new Html();
        ConsoleLayout.Page(html, "Sign in", "", null, body, ["aws configure   # the same keys sign the CLI's requests"]);
        var bytes = Encoding.UTF8.GetBytes(html.ToString());
        context.Response.StatusCode = error is null ? StatusCodes.Status200OK : StatusCodes.Status401Unauthorized;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
    }
}
