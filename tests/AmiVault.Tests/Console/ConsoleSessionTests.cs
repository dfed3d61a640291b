using System.Net;
using System.Text.RegularExpressions;
using AmiVault.Console;
using AmiVault.Tests.Support;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.DependencyInjection;

namespace AmiVault.Tests.Console;

/// <summary>The console's session rules over plain HTTP: cookie attributes, expiry, sign-in CSRF, redirects, routing.</summary>
public sealed partial class ConsoleSessionTests
{
    [Fact]
    public async Task The_session_cookie_is_HttpOnly_SameSite_Strict_and_scoped_to_the_console()
    {
        await using var server = await TestServer.StartAsync();
        using var client = Client(server);
        using var response = await SignInAsync(client, TestServer.Alice.AccessKeyId, TestServer.Alice.SecretAccessKey);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("amivault-console=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/console", cookie, StringComparison.OrdinalIgnoreCase);
        // Served over plain HTTP here; over TLS the cookie also carries Secure.
        Assert.DoesNotContain("secure", cookie.Replace("samesite", "", StringComparison.OrdinalIgnoreCase), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_session_ends_after_half_an_hour_without_a_request()
    {
        var time = new MovableTime(DateTimeOffset.UtcNow);
        await using var server = await TestServer.StartAsync("us-east-1", null, s => s.AddSingleton<TimeProvider>(time));
        using var client = Client(server);
        using var signedIn = await SignInAsync(client, TestServer.Alice.AccessKeyId, TestServer.Alice.SecretAccessKey);
        var session = SessionOf(signedIn);

        time.Advance(TimeSpan.FromMinutes(29));
        using (var active = await GetAsync(client, session, "/console/images"))
        {
            Assert.Equal(HttpStatusCode.OK, active.StatusCode);
        }

        time.Advance(ConsoleSessions.IdleTimeout + TimeSpan.FromSeconds(1));
        using var expired = await GetAsync(client, session, "/console/images");
        Assert.Equal(HttpStatusCode.SeeOther, expired.StatusCode);
        Assert.StartsWith("/console/signin", expired.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_in_without_the_forms_token_is_refused_and_an_unknown_key_is_refused_like_a_wrong_secret()
    {
        await using var server = await TestServer.StartAsync();
        using var client = Client(server);
        using var forged = await client.PostAsync("/console/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["accessKeyId"] = TestServer.Alice.AccessKeyId,
            ["secretAccessKey"] = TestServer.Alice.SecretAccessKey,
        }));
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);

        using var unknown = await SignInAsync(client, "AKIANOSUCHKEY0000000", TestServer.Alice.SecretAccessKey);
        using var wrong = await SignInAsync(client, TestServer.Alice.AccessKeyId, "not-the-secret");
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(ErrorOf(await unknown.Content.ReadAsStringAsync()), ErrorOf(await wrong.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task Sign_in_only_redirects_inside_the_console()
    {
        await using var server = await TestServer.StartAsync();
        using var client = Client(server);
        using var response = await SignInAsync(client, TestServer.Alice.AccessKeyId, TestServer.Alice.SecretAccessKey, next: "//evil.example/");
        Assert.Equal("/console/images", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_signed_S3_request_to_a_bucket_named_console_still_reaches_S3()
    {
        await using var server = await TestServer.StartAsync();
        using var s3 = new AmazonS3Client(TestServer.Alice.AccessKeyId, TestServer.Alice.SecretAccessKey,
            new AmazonS3Config { ServiceURL = server.EndpointUrl, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        await s3.PutBucketAsync("console");
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = "console", Key = "images", ContentBody = "not a page" });
        using var get = await s3.GetObjectAsync("console", "images");
        Assert.Equal("not a page", await new StreamReader(get.ResponseStream).ReadToEndAsync());
    }

    internal static HttpClient Client(TestServer server) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = server.Endpoint };

    /// <summary>Fetches the sign-in form (its token and cookie) and posts the keys, as a browser does.</summary>
    internal static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string accessKeyId, string secret, string next = "/images")
    {
        using var form = await client.GetAsync("/console/signin");
        var cookie = form.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
        var token = TokenField().Match(await form.Content.ReadAsStringAsync()).Groups[1].Value;
        var post = new HttpRequestMessage(HttpMethod.Post, "/console/signin?next=" + Uri.EscapeDataString(next))
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf"] = token, ["accessKeyId"] = accessKeyId, ["secretAccessKey"] = secret }),
        };
        post.Headers.Add("Cookie", cookie);
        return await client.SendAsync(post);
    }

    internal static string SessionOf(HttpResponseMessage signedIn) =>
        signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("amivault-console=", StringComparison.Ordinal)).Split(';')[0];

    internal static async Task<HttpResponseMessage> GetAsync(HttpClient client, string sessionCookie, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", sessionCookie);
        return await client.SendAsync(request);
    }

    private static string ErrorOf(string page) => RefusalText().Match(page).Groups[1].Value;

    [GeneratedRegex("name=\"csrf\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();

    [GeneratedRegex("<div class=\"refusal\" role=\"alert\">([^<]*)</div>")]
    private static partial Regex RefusalText();
}
