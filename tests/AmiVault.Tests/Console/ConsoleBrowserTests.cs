using System.Net;
using AmiVault.Tests.Ec2;
using AmiVault.Tests.Support;
using AmiVault.Tests.Tasks;
using Amazon.EC2.Model;
using OpenQA.Selenium;

namespace AmiVault.Tests.Console;

/// <summary>
/// The web console in a real browser (Debian's headless Chromium): signing in and out, storing and restoring an
/// image while watching progress live, account isolation and CSRF. Screenshots of each page land in
/// <see cref="ConsoleBrowser.ScreenshotDir"/>.
/// </summary>
[Trait("Category", TestCategories.Browser)]
public sealed class ConsoleBrowserTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    private TestServer Server => fixture.Server;

    private ConsoleBrowser Browser => fixture.Browser;

    [Fact]
    public async Task Signing_in_with_the_right_secret_shows_the_accounts_images_and_a_wrong_secret_is_refused()
    {
        var imageId = await ImageFixtures.ImageAsync(Server, "signin-web-server");

        Browser.SignIn(TestServer.Alice.AccessKeyId, TestServer.Alice.SecretAccessKey + "x");
        Assert.Contains("/console/signin", Browser.Url, StringComparison.Ordinal);
        Assert.Contains("do not match an active key", Browser.Text(".refusal"), StringComparison.Ordinal);
        Assert.Null(Browser.SessionCookie);
        Browser.Screenshot("signin-refused");

        Browser.SignIn(TestServer.Alice.AccessKeyId, TestServer.Alice.SecretAccessKey);
        Assert.EndsWith("/console/images", Browser.Url, StringComparison.Ordinal);
        Assert.NotNull(Browser.SessionCookie);
        var row = Browser.Find($"tr:has(a[href='/console/images/{imageId}'])");
        Assert.Contains("signin-web-server", row.Text, StringComparison.Ordinal);
        Assert.Contains("available", row.Text, StringComparison.Ordinal);
        Assert.Contains("aws ec2 describe-images --endpoint-url " + Server.EndpointUrl + " --owners self", Browser.Text(".cli"), StringComparison.Ordinal);
        Browser.Screenshot("images");
        Browser.Screenshot("images-narrow", width: 420, height: 800);
    }

    [Fact]
    public async Task An_image_stored_from_the_console_shows_its_progress_live_up_to_100_percent()
    {
        var imageId = await ImageFixtures.ImageAsync(Server, "store-web-server", blocks: ImageFixtures.TextBlocks(24, seed: 3));
        await ImageFixtures.BucketAsync(Server, "console-store");
        Browser.SignIn(TestServer.Alice.AccessKeyId, TestServer.Alice.SecretAccessKey);

        Browser.Go("/console/images");
        Browser.Find($"a[href='/console/store?image={imageId}']").Click();
        Browser.Find("#bucket option[value='console-store']").Click();
        Browser.WaitUntil("the DryRun check to accept the store", () => Browser.Text("#check").Contains("AWS would accept this store", StringComparison.Ordinal));
        var tagKeys = Browser.FindAll("input[name='tagKey']").ToList();
        var tagValues = Browser.FindAll("input[name='tagValue']").ToList();
        tagKeys[0].SendKeys("purpose");
        tagValues[0].SendKeys("archive");
        Browser.Screenshot("store");

        // Hold the store at its first block so the page is seen running, then let it go and watch without reloading.
        var held = fixture.Gate.CloseAsync();
        Browser.Find("form.task button:not(.secondary)").Click();
        await held;
        Browser.WaitUntil("the tasks page", () => Browser.Url.Contains("/console/tasks", StringComparison.Ordinal));
        var row = $"tr[data-image='{imageId}']";
        Browser.WaitUntil("the task to show in progress", () => Browser.Find(row).Text.Contains("InProgress", StringComparison.Ordinal));
        Browser.Screenshot("tasks-in-progress");
        fixture.Gate.Open();
        Browser.WaitUntil("the store to reach 100%", () =>
            Browser.Find(row + " progress").GetAttribute("value") == "100" && Browser.Find(row).Text.Contains("Completed", StringComparison.Ordinal));
        Browser.Screenshot("tasks-completed");

        Assert.Contains("/console/tasks", Browser.Url, StringComparison.Ordinal);
        var stored = await ImageFixtures.Buckets(Server).HeadObjectAsync("console-store", imageId + ".bin");
        Assert.Equal("store-web-server", stored.Metadata["ami-name"]);
        Assert.Equal("archive", (await ImageFixtures.Buckets(Server).GetObjectTaggingAsync("console-store", imageId + ".bin"))["purpose"]);
    }

    [Fact]
    public async Task An_image_restored_from_the_console_under_a_new_name_becomes_available_while_the_page_watches()
    {
        var imageId = await ImageFixtures.ImageAsync(Server, "restore-web-server", blocks: ImageFixtures.TextBlocks(16, seed: 5));
        await ImageFixtures.BucketAsync(Server, "console-restore");
        await ImageFixtures.StoreAsync(Server, imageId, "console-restore");
        Browser.SignIn(TestServer.Alice.AccessKeyId, TestServer.Alice.SecretAccessKey);

        Browser.Go("/console/restore");
        Browser.Find("a[href='/console/restore?bucket=console-restore']").Click();
        Browser.Find($"a[href='/console/restore?bucket=console-restore&key={imageId}.bin']").Click();
        Assert.Contains(imageId, Browser.Text("dl.facts"), StringComparison.Ordinal);
        Assert.Contains("InvalidAMIName.Duplicate", Browser.Text("#check"), StringComparison.Ordinal);
        Browser.Screenshot("restore-object");

        Browser.Find("#name").SendKeys("restore-web-server-copy");
        Browser.WaitUntil("the DryRun check to accept the name", () => Browser.Text("#check").Contains("AWS would accept this restore", StringComparison.Ordinal));
        var held = fixture.Gate.CloseAsync();
        Browser.Find("form.task button:not(.secondary)").Click();
        await held;
        Browser.WaitUntil("the new image's page", () => Browser.Url.Contains("/console/images/ami-", StringComparison.Ordinal) && !Browser.Url.EndsWith(imageId, StringComparison.Ordinal));
        Browser.WaitUntil("the image to show pending", () => Browser.Text(".image-state").Contains("pending", StringComparison.Ordinal));
        Browser.Screenshot("restore-pending");
        fixture.Gate.Open();
        Browser.WaitUntil("the restored image to become available", () => Browser.Text(".image-state").Contains("available", StringComparison.Ordinal));
        Assert.All(Browser.FindAll("#image-live progress"), p => Assert.Equal("100", p.GetAttribute("value")));
        Browser.Screenshot("restore-available");
        var newId = new Uri(Browser.Url).Segments[^1];
        Browser.Go("/console/images/" + imageId);
        Assert.Contains($"s3://console-restore/{imageId}.bin", Browser.PageText, StringComparison.Ordinal);
        Browser.Screenshot("image");
        Browser.Go("/console/buckets?bucket=console-restore");
        Assert.Contains("restore-web-server", Browser.Find($"tr:has(a[href='/console/restore?bucket=console-restore&key={imageId}.bin'])").Text, StringComparison.Ordinal);
        Browser.Screenshot("buckets");
        Browser.Go("/console/snapshots");
        Browser.Screenshot("snapshots");

        using var ec2 = Server.Ec2();
        var restored = await Ec2TestData.ImageAsync(ec2, newId);
        Assert.Equal("restore-web-server-copy", restored.Name);
        Assert.Equal("available", restored.State.Value);
        Assert.Equal(imageId, restored.SourceImageId);
    }

    [Fact]
    public async Task A_second_account_sees_none_of_the_first_accounts_images_tasks_or_buckets()
    {
        var imageId = await ImageFixtures.ImageAsync(Server, "alice-private-image");
        await ImageFixtures.BucketAsync(Server, "alice-private-bucket");
        await ImageFixtures.StoreAsync(Server, imageId, "alice-private-bucket");

        Browser.SignIn(TestServer.Bob.AccessKeyId, TestServer.Bob.SecretAccessKey);
        Browser.Go("/console/images");
        Assert.DoesNotContain("alice-private-image", Browser.PageText, StringComparison.Ordinal);
        Assert.Equal("0 images", Browser.Text(".count"));
        Browser.Go("/console/tasks");
        Assert.DoesNotContain(imageId, Browser.PageText, StringComparison.Ordinal);
        Browser.Go("/console/buckets");
        Assert.DoesNotContain("alice-private-bucket", Browser.PageText, StringComparison.Ordinal);
        Browser.Go("/console/images/" + imageId);
        Assert.Contains("The account has no image " + imageId, Browser.PageText, StringComparison.Ordinal);
        Browser.Go($"/console/restore?bucket=alice-private-bucket&key={imageId}.bin");
        Assert.DoesNotContain("alice-private-image", Browser.PageText, StringComparison.Ordinal);
        Assert.Contains("not accessible", Browser.Text("#check"), StringComparison.Ordinal);
        Browser.Go($"/console/store?image={imageId}&bucket=alice-private-bucket");
        Assert.Contains("InvalidAMIID.NotFound", Browser.Text("#check"), StringComparison.Ordinal);
        Browser.Screenshot("second-account");
    }

    [Fact]
    public async Task A_forged_form_post_without_the_CSRF_token_is_refused_and_changes_nothing()
    {
        var imageId = await ImageFixtures.ImageAsync(Server, "csrf-target-image");
        await ImageFixtures.BucketAsync(Server, "csrf-bucket");
        Browser.SignIn(TestServer.Alice.AccessKeyId, TestServer.Alice.SecretAccessKey);
        var session = Browser.SessionCookie!;

        foreach (var token in new[] { null, "", "forged-token" })
        {
            var fields = new Dictionary<string, string> { ["image"] = imageId, ["bucket"] = "csrf-bucket" };
            if (token is not null)
            {
                fields["csrf"] = token;
            }

            using var response = await PostAsync(session, "/console/store", fields);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Contains("CSRF", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var ec2 = Server.Ec2();
        Assert.DoesNotContain(await ImageFixtures.StoreTasksAsync(ec2), t => t.AmiId == imageId);

        // The same post with the page's token is accepted: the refusal was the token's doing.
        Browser.Go("/console/store");
        var csrf = Browser.Find("input[name='csrf']").GetAttribute("value")!;
        using var accepted = await PostAsync(session, "/console/store", new() { ["image"] = imageId, ["bucket"] = "csrf-bucket", ["csrf"] = csrf });
        Assert.Equal(HttpStatusCode.SeeOther, accepted.StatusCode);
        await ImageFixtures.WaitForStoreAsync(ec2, imageId);
    }

    [Fact]
    public async Task Signing_out_ends_the_session_for_the_browser_and_for_a_copy_of_its_cookie()
    {
        Browser.SignIn(TestServer.Alice.AccessKeyId, TestServer.Alice.SecretAccessKey);
        var session = Browser.SessionCookie!;
        using (var before = await GetAsync(session, "/console/images"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        // By keyboard: the skip link comes first, then the sections, then Sign out.
        Browser.Find("body").SendKeys(Keys.Tab);
        Assert.Equal("Skip to content", Browser.Driver.SwitchTo().ActiveElement().Text);
        for (var tabs = 0; tabs < 20 && Browser.Driver.SwitchTo().ActiveElement().Text != "Sign out"; tabs++)
        {
            Browser.Driver.SwitchTo().ActiveElement().SendKeys(Keys.Tab);
        }

        Browser.Driver.SwitchTo().ActiveElement().SendKeys(Keys.Enter);
        Browser.WaitUntil("the sign-in page", () => Browser.Url.Contains("/console/signin", StringComparison.Ordinal));
        Browser.Go("/console/images");
        Assert.Contains("/console/signin", Browser.Url, StringComparison.Ordinal);

        using var after = await GetAsync(session, "/console/images");
        Assert.Equal(HttpStatusCode.SeeOther, after.StatusCode);
        Assert.StartsWith("/console/signin", after.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    private Task<HttpResponseMessage> PostAsync(string session, string path, Dictionary<string, string> fields) =>
        SendAsync(session, new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) });

    private Task<HttpResponseMessage> GetAsync(string session, string path) => SendAsync(session, new HttpRequestMessage(HttpMethod.Get, path));

    private async Task<HttpResponseMessage> SendAsync(string session, HttpRequestMessage request)
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = Server.Endpoint };
        request.Headers.Add("Cookie", "amivault-console=" + session);
        return await client.SendAsync(request);
    }
}
