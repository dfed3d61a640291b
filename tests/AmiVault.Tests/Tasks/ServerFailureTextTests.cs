using AmiVault.Tasks;

namespace AmiVault.Tests.Tasks;

/// <summary>A task's failure reason keeps the cause of a failure on the server's disk and never the server's paths.</summary>
public sealed class ServerFailureTextTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("amivault-reasons-").FullName;

    [Fact]
    public void A_folder_deleted_under_a_write_is_said_without_its_path()
    {
        // What the embedded store met when a bucket was deleted right after a store started.
        var bucketData = Path.Combine(_dir, "data", "buckets", "images", "data");
        var e = Assert.ThrowsAny<IOException>(() => File.WriteAllBytes(Path.Combine(bucketData, "part-1"), [1]));
        Assert.Contains(_dir, e.Message, StringComparison.Ordinal);

        var text = ServerFailureText.Of(e);

        Assert.DoesNotContain("/", text, StringComparison.Ordinal);
        Assert.Contains("missing", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("No space left on device : '{0}/blocks/ab/cd'", "no space left on the server")]
    [InlineData("Access to the path '{0}/catalog.db' is denied.", "Access to the path is denied")]
    [InlineData("Disk quota exceeded : {0}/x", "Disk quota exceeded")]
    [InlineData("I/O error", "I/O error")]
    public void A_system_message_keeps_its_cause_and_loses_its_path(string message, string expected)
    {
        Assert.Equal(expected, ServerFailureText.Of(new IOException(string.Format(System.Globalization.CultureInfo.InvariantCulture, message, _dir))));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
