using AmiVault.Tests.Support;

namespace AmiVault.Tests.Cli;

public sealed class DemoTests
{
    [Fact]
    public async Task The_demo_runs_the_whole_workflow_green_and_leaves_nothing_behind()
    {
        using var cli = new AmivaultCli();
        var before = Directory.GetDirectories(Path.GetTempPath(), "amivault-demo-*").ToHashSet();

        var result = (await cli.RunAsync("demo", "--data-size", "16")).EnsureSuccess();

        Assert.True(result.Json.GetProperty("Identical").GetBoolean());
        Assert.StartsWith("ami-", result.String("RestoredImageId"), StringComparison.Ordinal);
        Assert.NotEqual(result.String("ImageId"), result.String("RestoredImageId"));
        foreach (var step in new[] { "aws ec2 register-image", "aws ec2 create-store-image-task", "amivault copy", "aws ec2 create-restore-image-task", "amivault export-snapshot" })
        {
            Assert.Contains(step, result.Stderr, StringComparison.Ordinal);
        }

        Assert.Contains("identical", result.Stderr, StringComparison.Ordinal);
        Assert.Subset(before, Directory.GetDirectories(Path.GetTempPath(), "amivault-demo-*").ToHashSet());
    }
}
