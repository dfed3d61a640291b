using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using AmiVault.Benchmarks.Suite;
using AmiVault.Client;
using Amazon.EC2.Model;

namespace AmiVault.Benchmarks.Scenarios;

/// <summary>
/// The web console's images page with 1,000 images (issue 14: under 200 ms of server time), signed in as a browser
/// is; against DescribeImages of the same 1,000 images through the SDK, which is what the page runs in process.
/// The page's own figure is its Server-Timing (the server's time, without the network or the client).
/// </summary>
internal sealed partial class ConsoleImagesScenario(SuiteContext context) : Scenario(context)
{
    private AmiVaultServerProcess? _server;
    private HttpClient? _browser;

    public override string Id => "console-images";

    public override string Title => "Web console: the images page with 1,000 images";

    public override string Issue => "web console (14)";

    private int ImageCount => Context.Smoke ? 20 : 1000;

    public override IReadOnlyList<Contender> Contenders =>
    [
        new Contender("describe-images", $"DescribeImages of {ImageCount} images through AWSSDK.EC2 (wall time)", Role.Peer, DescribeAsync),
        new Contender("console-images", $"GET /console/images with {ImageCount} images (server time, Server-Timing)", Role.Ours, PageAsync),
    ];

    public override IReadOnlyList<Figure> Figures =>
    [
        new("Console images page, 1,000 images, server time", Metric.Seconds, "console-images", "describe-images", Goal.AtMost(0.2, "s")),
    ];

    public override async Task SetUpAsync(CancellationToken cancellationToken)
    {
        _server = await AmiVaultServerProcess.StartAsync(Context.Scratch("console-server"), cancellationToken);
        using var ec2 = _server.Ec2();
        using var ebs = _server.Ebs();
        var snapshot = await ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 8, Description = "console benchmark" }, cancellationToken);
        await ebs.CompleteSnapshotAsync(snapshot.SnapshotId, 0, cancellationToken: cancellationToken);
        await AmiVaultImages.WaitForSnapshotAsync(ec2, snapshot.SnapshotId, cancellationToken);
        await Parallel.ForEachAsync(Enumerable.Range(0, ImageCount), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (i, ct) =>
            await ec2.RegisterImageAsync(new RegisterImageRequest
            {
                Name = $"console-image-{i:D4}",
                RootDeviceName = "/dev/xvda",
                VirtualizationType = "hvm",
                Architecture = Amazon.EC2.ArchitectureValues.X86_64,
                BlockDeviceMappings = [new BlockDeviceMapping { DeviceName = "/dev/xvda", Ebs = new EbsBlockDevice { SnapshotId = snapshot.SnapshotId } }],
                TagSpecifications = [new TagSpecification { ResourceType = Amazon.EC2.ResourceType.Image, Tags = [new Tag("team", $"team-{i % 7}"), new Tag("env", i % 2 == 0 ? "dev" : "prod")] }],
            }, ct));
        _browser = await SignInAsync(_server, cancellationToken);
        System.Console.WriteLine($"  {ImageCount} images registered; signed in to the console");
    }

    public override async ValueTask DisposeAsync()
    {
        _browser?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    private async Task<Sample> DescribeAsync(CancellationToken cancellationToken)
    {
        using var ec2 = _server!.Ec2();
        var stopwatch = Stopwatch.StartNew();
        var images = (await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["self"] }, cancellationToken)).Images;
        var seconds = stopwatch.Elapsed.TotalSeconds;
        Check(images.Count);
        return new Sample(seconds, 0);
    }

    private async Task<Sample> PageAsync(CancellationToken cancellationToken)
    {
        using var response = await _browser!.GetAsync("/console/images", cancellationToken);
        response.EnsureSuccessStatusCode();
        var page = await response.Content.ReadAsStringAsync(cancellationToken);
        Check(CountLine().Match(page) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0);
        var timing = AppTiming().Match(string.Join(",", response.Headers.GetValues("Server-Timing")));
        return new Sample(double.Parse(timing.Groups[1].Value, CultureInfo.InvariantCulture) / 1000, page.Length);
    }

    private void Check(int listed)
    {
        if (listed != ImageCount)
        {
            throw new InvalidOperationException($"Listed {listed} images, not {ImageCount}.");
        }
    }

    /// <summary>Signs in through the console's form as a browser does: the form's token and cookie, then the keys.</summary>
    private static async Task<HttpClient> SignInAsync(AmiVaultServerProcess server, CancellationToken cancellationToken)
    {
        var cookies = new System.Net.CookieContainer();
        var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = server.Endpoint };
        var form = await client.GetStringAsync("/console/signin", cancellationToken);
        var token = TokenField().Match(form).Groups[1].Value;
        using var signedIn = await client.PostAsync("/console/signin?next=%2Fimages", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["csrf"] = token,
            ["accessKeyId"] = AmiVaultServerProcess.AccessKeyId,
            ["secretAccessKey"] = AmiVaultServerProcess.SecretAccessKey,
        }), cancellationToken);
        signedIn.EnsureSuccessStatusCode();
        return client;
    }

    [GeneratedRegex("name=\"csrf\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();

    [GeneratedRegex("<p class=\"count\">([0-9]+) image")]
    private static partial Regex CountLine();

    [GeneratedRegex("app;dur=([0-9.]+)")]
    private static partial Regex AppTiming();
}
