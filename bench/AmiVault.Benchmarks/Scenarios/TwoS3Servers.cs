using AmiVault.Benchmarks.Suite;
using AmiVault.ObjectStore;
using AmiVault.ObjectStore.External;
using AmiVault.Tasks;
using BasicAWSCredentials = Amazon.Runtime.BasicAWSCredentials;

namespace AmiVault.Benchmarks.Scenarios;

/// <summary>
/// Two AmiVault servers, each in its own process, as the two S3 endpoints of the copy and sync scenarios, with a
/// bucket each (s3://source, s3://destination) and what the peers need to reach them (rclone remotes SRC: and DST:).
/// </summary>
internal sealed class TwoS3Servers : IAsyncDisposable
{
    private readonly Amazon.S3.AmazonS3Client _sourceClient;
    private readonly Amazon.S3.AmazonS3Client _destinationClient;

    private TwoS3Servers(AmiVaultServerProcess source, AmiVaultServerProcess destination)
    {
        Source = source;
        Destination = destination;
        (_sourceClient, SourceStore) = Buckets(SourceUrl);
        (_destinationClient, DestinationStore) = Buckets(DestinationUrl);
    }

    public AmiVaultServerProcess Source { get; }

    public AmiVaultServerProcess Destination { get; }

    public IObjectStore SourceStore { get; }

    public IObjectStore DestinationStore { get; }

    public string SourceUrl => Source.Endpoint.ToString().TrimEnd('/');

    public string DestinationUrl => Destination.Endpoint.ToString().TrimEnd('/');

    public static async Task<TwoS3Servers> StartAsync(SuiteContext context, string name, CancellationToken cancellationToken)
    {
        var source = await AmiVaultServerProcess.StartAsync(context.Scratch(name + "-source"), cancellationToken);
        var destination = await AmiVaultServerProcess.StartAsync(context.Scratch(name + "-destination"), cancellationToken);
        var servers = new TwoS3Servers(source, destination);
        await servers.SourceStore.CreateBucketAsync("source", cancellationToken);
        await servers.DestinationStore.CreateBucketAsync("destination", cancellationToken);
        return servers;
    }

    private static (Amazon.S3.AmazonS3Client Client, IObjectStore Store) Buckets(string url)
    {
        var client = ExternalS3Clients.Create(new BasicAWSCredentials(AmiVaultServerProcess.AccessKeyId, AmiVaultServerProcess.SecretAccessKey), AmiVaultServerProcess.Region, url);
        return (client, new ExternalObjectStore(client, AmiVaultServerProcess.Region, new()));
    }

    /// <summary>Bytes <paramref name="offset"/>..+<paramref name="length"/> of a file as s3://source/KEY, in 8 MiB parts as a store task uploads an archive.</summary>
    public async Task UploadAsync(string key, string path, long offset, long length, string spool, CancellationToken cancellationToken)
    {
        var uploadId = await SourceStore.CreateMultipartUploadAsync("source", key, ObjectWriteOptions.Default, cancellationToken);
        await using var upload = new MultipartUploadStream(SourceStore, "source", key, uploadId, 8 << 20, spool, cancellationToken);
        await using (var file = File.OpenRead(path))
        {
            file.Position = offset;
            var buffer = new byte[1 << 20];
            for (var left = length; left > 0;)
            {
                var read = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken);
                await upload.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                left -= read;
            }
        }

        await upload.CompleteAsync();
    }

    /// <summary>rclone configured by environment only: remotes SRC: and DST: for the two servers.</summary>
    public Dictionary<string, string?> RcloneEnvironment(string home)
    {
        // An AWS_CA_BUNDLE in the environment makes rclone refuse plain-http endpoints; empty counts as unset.
        var environment = new Dictionary<string, string?> { ["HOME"] = home, ["RCLONE_CONFIG"] = "/dev/null", ["AWS_CA_BUNDLE"] = "" };
        foreach (var (remote, url) in new[] { ("SRC", SourceUrl), ("DST", DestinationUrl) })
        {
            environment[$"RCLONE_CONFIG_{remote}_TYPE"] = "s3";
            environment[$"RCLONE_CONFIG_{remote}_PROVIDER"] = "Other";
            environment[$"RCLONE_CONFIG_{remote}_ENDPOINT"] = url;
            environment[$"RCLONE_CONFIG_{remote}_REGION"] = AmiVaultServerProcess.Region;
            environment[$"RCLONE_CONFIG_{remote}_ACCESS_KEY_ID"] = AmiVaultServerProcess.AccessKeyId;
            environment[$"RCLONE_CONFIG_{remote}_SECRET_ACCESS_KEY"] = AmiVaultServerProcess.SecretAccessKey;
        }

        return environment;
    }

    public async ValueTask DisposeAsync()
    {
        _sourceClient.Dispose();
        _destinationClient.Dispose();
        await Source.DisposeAsync();
        await Destination.DisposeAsync();
    }
}
