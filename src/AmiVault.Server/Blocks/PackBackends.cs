using AmiVault.Configuration;
using AmiVault.ObjectStore;
using AmiVault.ObjectStore.External;

namespace AmiVault.Blocks;

/// <summary>Opens the pack backend the options name (<see cref="BlockOptions.Backend"/>).</summary>
internal static class PackBackends
{
    /// <summary>
    /// Local packs under <c>{blocksRoot}/packs</c>, or pack objects in the configured bucket with the read cache under
    /// <c>{blocksRoot}/cache</c>; <paramref name="serverRegion"/> is the bucket's region unless the options name one.
    /// </summary>
    public static async Task<IPackBackend> OpenAsync(BlockOptions options, string blocksRoot, string serverRegion, CancellationToken cancellationToken)
    {
        if (options.Backend == BlockOptions.Local)
        {
            return new LocalPackFiles(Path.Combine(blocksRoot, "packs"), (long)options.PackSizeMiB << 20);
        }

        var provider = new ExternalObjectStoreProvider(
            new BucketOptions
            {
                Backend = "external",
                EndpointUrl = options.EndpointUrl,
                Region = options.Region,
                Profile = options.Profile,
                AccessKeyId = options.AccessKeyId,
                SecretAccessKey = options.SecretAccessKey,
                ForcePathStyle = options.ForcePathStyle,
            },
            serverRegion);
        var cacheFolder = Path.Combine(blocksRoot, "cache");
        if (options.CacheMiB == 0 && Directory.Exists(cacheFolder))
        {
            Directory.Delete(cacheFolder, recursive: true); // turned off since the last start
        }

        var cache = options.CacheMiB > 0 ? new PackReadCache(cacheFolder, (long)options.CacheMiB << 20) : null;
        return await S3PackObjects.OpenAsync(
            provider.ForAccount("blocks"), provider, options.Bucket!, options.KeyPrefix, cache, TimeSpan.FromMinutes(options.OrphanGraceMinutes), cancellationToken);
    }
}
