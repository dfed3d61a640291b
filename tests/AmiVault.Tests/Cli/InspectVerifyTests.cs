using AmiVault.Tests.Support;
using Amazon.S3.Model;

namespace AmiVault.Tests.Cli;

/// <summary>`amivault inspect` and `verify` on a stored image, in S3 and as a local file.</summary>
[Trait("Category", TestCategories.Process)]
public sealed class InspectVerifyTests(StoredArchiveFixture stored) : IClassFixture<StoredArchiveFixture>
{
    private AmivaultCli Cli => stored.Cli;

    [Fact]
    public async Task Inspect_in_s3_reads_only_the_header_and_index_with_a_few_ranged_gets()
    {
        var result = (await Cli.RunAsync("inspect", $"s3://images/{stored.Key}")).EnsureSuccess();

        Assert.Equal(stored.ImageId, result.String("ImageId"));
        Assert.Equal("stored-for-inspection", result.String("Name"));
        Assert.Equal(1, result.Number("ArchiveVersion"));
        Assert.Equal(stored.Size, result.Number("StoredBytes"));
        Assert.True(result.Number("LogicalBytes") > result.Number("StoredBytes"), "the image should have compressed");
        Assert.True(result.Json.GetProperty("CompressionRatio").GetDouble() > 1);
        var snapshot = Assert.Single(result.Json.GetProperty("Snapshots").EnumerateArray());
        Assert.Equal(1, snapshot.GetProperty("VolumeSize").GetInt64());
        Assert.Equal("stored-for-inspection", result.Json.GetProperty("Metadata").GetProperty("ami-name").GetString());
        Assert.InRange(result.Number("Reads"), 1, 4);
        Assert.InRange(result.Number("BytesRead"), 1, stored.Size / 100);
    }

    [Fact]
    public async Task Inspect_of_a_local_file_shows_the_same_image_as_a_table()
    {
        var result = (await Cli.RunAsync("inspect", stored.LocalPath, "--output", "table")).EnsureSuccess();

        Assert.Contains("|  ", result.Stdout, StringComparison.Ordinal);
        Assert.Contains(stored.ImageId, result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Snapshots", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("| SnapshotId ", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_finds_an_intact_archive_in_s3_and_reads_all_of_it()
    {
        var result = (await Cli.RunAsync("verify", $"s3://images/{stored.Key}")).EnsureSuccess();

        Assert.Equal("intact", result.String("Verdict"));
        Assert.True(result.Number("BytesRead") >= stored.Size);
        Assert.Contains("intact", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_detects_a_flipped_byte_in_the_middle_of_an_archive_with_exit_3()
    {
        var damaged = Path.Combine(Cli.Home, "damaged.bin");
        var bytes = await File.ReadAllBytesAsync(stored.LocalPath);
        bytes[bytes.Length / 2] ^= 0x40;
        await File.WriteAllBytesAsync(damaged, bytes);
        await stored.S3.PutObjectAsync(new PutObjectRequest { BucketName = "images", Key = "damaged.bin", FilePath = damaged });

        var local = await Cli.RunAsync("verify", damaged);
        var remote = await Cli.RunAsync("verify", "s3://images/damaged.bin", "--output", "text");

        Assert.Equal(3, local.ExitCode);
        Assert.Equal("damaged", local.String("Verdict"));
        Assert.Equal("FrameCorrupt", local.String("Problem"));
        Assert.Contains("is damaged", local.Stderr, StringComparison.Ordinal);
        Assert.Equal(3, remote.ExitCode);
        Assert.Contains("damaged\tFrameCorrupt", remote.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_of_something_that_is_not_an_archive_says_so_with_exit_3()
    {
        var other = Path.Combine(Cli.Home, "not-an-archive.txt");
        await File.WriteAllTextAsync(other, new string('x', 10_000));

        var result = await Cli.RunAsync("inspect", other);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("not an AmiVault image archive", result.Stderr, StringComparison.Ordinal);
    }
}
