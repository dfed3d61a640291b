using AmiVault.Archive;
using AmiVault.ObjectStore;

namespace AmiVault.Cli.Common;

/// <summary>
/// A stored image to read: an object (`s3://bucket/key`, read with ranged GETs pinned to the ETag it has now) or a
/// local archive file. Reads are metered.
/// </summary>
internal sealed class ArchiveLocation : IDisposable
{
    private readonly IDisposable _owned;

    private ArchiveLocation(string display, IArchiveSource source, IDisposable owned, ObjectInfo? info, Action<long>? progress)
    {
        Display = display;
        Source = new MeteredArchiveSource(source, progress);
        Object = info;
        _owned = owned;
    }

    public string Display { get; }

    public MeteredArchiveSource Source { get; }

    /// <summary>What S3 says about the object; null for a local file.</summary>
    public ObjectInfo? Object { get; }

    public static async Task<ArchiveLocation> OpenAsync(CliContext context, string location, ConnectionOptions connection, Action<long>? progress = null)
    {
        if (!S3Location.IsS3(location))
        {
            if (!File.Exists(location))
            {
                throw CliException.Usage($"{location} is neither an s3://BUCKET/KEY location nor an existing file.");
            }

            var file = new FileArchiveSource(location);
            return new ArchiveLocation(Path.GetFullPath(location), file, file, null, progress);
        }

        var s3 = S3Location.Parse(location);
        var aws = context.Connect(connection);
        var client = aws.CreateObjectStore(maxConnections: 16);
        try
        {
            var info = await client.Store.HeadObjectAsync(s3.Bucket, s3.Key, context.CancellationToken);
            var source = new ObjectArchiveSource(client.Store, s3.Bucket, s3.Key, info.ETag, info.Size);
            return new ArchiveLocation($"{s3} at {aws.Describe("s3")}", source, client, info, progress);
        }
        catch (Exception)
        {
            client.Dispose();
            throw;
        }
    }

    public void Dispose() => _owned.Dispose();
}
