using System.Diagnostics;
using AmiVault.Tests.Support;
using Amazon.EC2.Model;

namespace AmiVault.Tests.Cli;

/// <summary>
/// The README's AWS CLI session, run as written (scripts/readme-walkthrough.sh) with this machine's AWS CLI (Debian's
/// 2.9.19) on a 500 MiB disk: large enough that a session that did not wait for the store would read the object
/// before it exists.
/// </summary>
public sealed class ReadmeWalkthroughTests
{
    [Fact]
    public async Task The_README_session_stores_and_restores_a_500_MiB_image_as_written()
    {
        await using var server = await TestServer.StartAsync();
        var script = Path.Combine(RepositoryRoot(), "scripts", "readme-walkthrough.sh");
        var start = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        start.Environment["AMIVAULT_URL"] = server.EndpointUrl;
        start.Environment["AWS_ACCESS_KEY_ID"] = TestServer.Alice.AccessKeyId;
        start.Environment["AWS_SECRET_ACCESS_KEY"] = TestServer.Alice.SecretAccessKey;
        start.Environment["AWS_DEFAULT_REGION"] = server.Region;
        start.Environment["AWS_CONFIG_FILE"] = "/dev/null";
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
        start.Environment["AWS_PAGER"] = "";
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        start.Environment["PATH"] = AppContext.BaseDirectory + ":" + Environment.GetEnvironmentVariable("PATH");

        using var bash = Process.Start(start)!;
        var stdout = bash.StandardOutput.ReadToEndAsync();
        var stderr = bash.StandardError.ReadToEndAsync();
        await bash.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(20));
        Assert.True(bash.ExitCode == 0, $"the walk-through failed ({bash.ExitCode}):\n{await stderr}\n{await stdout}");

        Assert.Contains("store: Completed", await stdout, StringComparison.Ordinal);
        using var ec2 = server.Ec2();
        var images = (await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["self"] })).Images;
        var stored = images.Single(i => i.Name == "my-image");
        Assert.Equal("available", images.Single(i => i.Name == "my-image-restored").State.Value);
        using var s3 = server.S3();
        // 500 MiB of random data does not compress: the object is the size of a real image, not of a demo.
        Assert.InRange((await s3.GetObjectMetadataAsync("my-images", stored.ImageId + ".bin")).ContentLength, 500L << 20, 520L << 20);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AmiVault.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (AmiVault.slnx) is not above the test's folder.");
    }
}
