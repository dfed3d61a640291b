using System.Diagnostics;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace AmiVault.Tests.Console;

/// <summary>
/// Debian's headless Chromium driven through Debian's chromedriver (no browser download), pointed at a test server's
/// console. Screenshots go to <see cref="ScreenshotDir"/> (AMIVAULT_SCREENSHOTS, else a folder under /tmp).
/// </summary>
internal sealed class ConsoleBrowser : IDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string ChromedriverPath = "/usr/bin/chromedriver";

    private readonly string _profile = Path.Combine(Path.GetTempPath(), "amivault-chromium-" + Guid.NewGuid().ToString("N"));
    private readonly ChromeDriver _driver;
    private readonly string _baseUrl;

    public ConsoleBrowser(string endpointUrl)
    {
        _baseUrl = endpointUrl.TrimEnd('/');
        var options = new ChromeOptions { BinaryLocation = ChromiumPath };
        options.AddArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
            "--user-data-dir=" + _profile, "--window-size=1280,800");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromedriverPath)!, Path.GetFileName(ChromedriverPath));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        _driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }

    public static string ScreenshotDir { get; } =
        Environment.GetEnvironmentVariable("AMIVAULT_SCREENSHOTS") is { Length: > 0 } dir ? dir : Path.Combine(Path.GetTempPath(), "amivault-console-screenshots");

    public IWebDriver Driver => _driver;

    public string Url => _driver.Url;

    public void Go(string path) => _driver.Navigate().GoToUrl(_baseUrl + path);

    public IWebElement Find(string css) => _driver.FindElement(By.CssSelector(css));

    public IReadOnlyCollection<IWebElement> FindAll(string css) => _driver.FindElements(By.CssSelector(css));

    public string Text(string css) => Find(css).Text;

    public string PageText => Find("main").Text;

    /// <summary>Signs in through the form, as a person types it.</summary>
    public void SignIn(string accessKeyId, string secret)
    {
        _driver.Manage().Cookies.DeleteAllCookies();
        Go("/console/");
        Find("#accessKeyId").SendKeys(accessKeyId);
        Find("#secretAccessKey").SendKeys(secret + Keys.Enter);
        WaitUntil("the sign-in answered", () => !_driver.Url.Contains("/console/signin?next", StringComparison.Ordinal) || FindAll(".refusal").Count > 0);
    }

    /// <summary>The session cookie, for requests a browser would not send (a forged form post).</summary>
    public string? SessionCookie => _driver.Manage().Cookies.GetCookieNamed("amivault-console")?.Value;

    public void WaitUntil(string what, Func<bool> condition, int seconds = 60)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (condition())
                {
                    return;
                }
            }
            catch (WebDriverException)
            {
                // The element was replaced by a live refresh between finding and reading it; look again.
            }

            if (watch.Elapsed > TimeSpan.FromSeconds(seconds))
            {
                Screenshot("timeout-" + string.Concat(what.Where(char.IsLetterOrDigit)));
                throw new TimeoutException($"Waited {seconds} s for {what}; the page at {_driver.Url} shows:\n{_driver.FindElement(By.TagName("body")).Text}");
            }

            Thread.Sleep(200);
        }
    }

    public string Screenshot(string name, int width = 1280, int height = 800)
    {
        Directory.CreateDirectory(ScreenshotDir);
        _driver.Manage().Window.Size = new System.Drawing.Size(width, height);
        var path = Path.Combine(ScreenshotDir, name + ".png");
        _driver.GetScreenshot().SaveAsFile(path);
        _driver.Manage().Window.Size = new System.Drawing.Size(1280, 800);
        return path;
    }

    public void Dispose()
    {
        _driver.Quit();
        _driver.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // Chromium's last writes may still be landing; the folder is under /tmp.
        }
    }
}
