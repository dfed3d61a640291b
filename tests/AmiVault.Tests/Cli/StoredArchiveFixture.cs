using AmiVault.Imaging;
using AmiVault.Tests.Support;
using AmiVault.Tests.Tasks;
using Amazon.EC2.Model;
using Amazon.S3;
using Amazon.S3.Model;

namespace AmiVault.Tests.Cli;

/// <summary>
/// A real stored image: a generated disk imported and registered with `amivault import-disk`, stored by the server
/// with CreateStoreImageTask into s3://images/&lt;ami&gt;.bin, and a local copy of that archive.
/// </summary>
public sealed class StoredArchiveFixture : IAsyncLifetime
{
    internal AmivaultCli Cli { get; } = new();

    internal TestServer Server { get; private set; } = null!;

    internal AmazonS3Client S3 { get; private set; } = null!;

    public string ImageId { get; private set; } = "";

    public string Key => ImageId + ".bin";

    public string LocalPath => Path.Combine(Cli.Home, Key);

    public long Size { get; private set; }

    public async Task InitializeAsync()
    {
        Server = await TestServer.StartAsync("ca-central-1");
        S3 = Server.S3(TestServer.Alice);
        Cli.Profile("default", TestServer.Alice, Server);
        var disk = Path.Combine(Cli.Home, "disk.img");
        await DiskImageGenerator.Sparse(1L << 30, 32L << 20, seed: 11).WriteFileAsync(disk, holes: true);
        ImageId = (await Cli.RunAsync("import-disk", disk, "--register", "stored-for-inspection")).EnsureSuccess().String("ImageId");

        await S3.PutBucketAsync(new PutBucketRequest { BucketName = "images", BucketRegionName = Server.Region });
        using var ec2 = Server.Ec2();
        await ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = ImageId, Bucket = "images" });
        Assert.Equal("Completed", (await ImageFixtures.WaitForStoreAsync(ec2, ImageId)).StoreTaskState);
        using var response = await S3.GetObjectAsync("images", Key);
        await response.WriteResponseStreamToFileAsync(LocalPath, append: false, CancellationToken.None);
        Size = new FileInfo(LocalPath).Length;
    }

    public async Task DisposeAsync()
    {
        S3.Dispose();
        await Server.DisposeAsync();
        Cli.Dispose();
    }
}
