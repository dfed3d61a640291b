using Microsoft.Extensions.Configuration;

namespace AmiVault.Configuration;

/// <summary>
/// Reads server options in the usual .NET precedence: config file, then environment (AMIVAULT_REGION,
/// AMIVAULT_DATADIR, AMIVAULT_TASKS__WORKERS…), then command-line flags, each overriding the one before.
/// </summary>
internal static class OptionsLoader
{
    public const string EnvironmentPrefix = "AMIVAULT_";

    public static AmiVaultOptions Load(string? configFile, IReadOnlyDictionary<string, string?> flags)
    {
        var builder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            if (!File.Exists(configFile))
            {
                throw new FileNotFoundException($"Config file '{configFile}' does not exist.", configFile);
            }

            builder.AddJsonFile(Path.GetFullPath(configFile), optional: false);
        }

        builder.AddEnvironmentVariables(EnvironmentPrefix);
        builder.AddInMemoryCollection(flags.Where(f => f.Value is not null));
        var options = new AmiVaultOptions();
        builder.Build().Bind(options);
        Validate(options);
        return options;
    }

    private static void Validate(AmiVaultOptions options)
    {
        if (options.Port is < 0 or > 65535)
        {
            throw new InvalidOperationException($"Port {options.Port} is not from 0 to 65535.");
        }

        if (string.IsNullOrWhiteSpace(options.Region) || !options.Region.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            throw new InvalidOperationException($"Region '{options.Region}' is not a region name like us-east-1.");
        }

        // 0 makes a cluster node that only answers requests: the other nodes run what it admits. Alone on SQLite
        // nothing would ever run its tasks.
        var leastWorkers = options.Catalog.Backend == CatalogOptions.Postgres ? 0 : 1;
        if (options.Tasks.Workers < leastWorkers || options.Tasks.Workers > 64)
        {
            throw new InvalidOperationException($"Tasks:Workers {options.Tasks.Workers} is not from {leastWorkers} to 64{(leastWorkers == 1 ? " (0, a node that runs no tasks, only with Catalog:Backend postgres)" : "")}.");
        }

        // 10,000 parts of at most 5 GiB bound what one object can hold, incompressible data included.
        if (options.Tasks.MaxImageSizeGb is < 1 or > 48_000 || options.Tasks.StoreQuotaGb < 1 || options.Tasks.RestoreQuotaGb < 1)
        {
            throw new InvalidOperationException(
                $"Tasks:MaxImageSizeGb ({options.Tasks.MaxImageSizeGb}) must be from 1 to 48000, Tasks:StoreQuotaGb ({options.Tasks.StoreQuotaGb}) and Tasks:RestoreQuotaGb ({options.Tasks.RestoreQuotaGb}) at least 1.");
        }

        if (options.Buckets.Backend is not ("embedded" or "external"))
        {
            throw new InvalidOperationException($"Buckets:Backend '{options.Buckets.Backend}' is neither 'embedded' nor 'external'.");
        }

        if (options.LogFormat is not ("text" or AmiVaultOptions.JsonLogs))
        {
            throw new InvalidOperationException($"LogFormat '{options.LogFormat}' is neither 'text' nor 'json'.");
        }

        if (options.Tasks.LeaseSeconds is < 2 or > 3600)
        {
            throw new InvalidOperationException($"Tasks:LeaseSeconds {options.Tasks.LeaseSeconds} is not from 2 to 3600.");
        }

        if (options.Catalog.Backend is not (CatalogOptions.Sqlite or CatalogOptions.Postgres))
        {
            throw new InvalidOperationException($"Catalog:Backend '{options.Catalog.Backend}' is neither 'sqlite' nor 'postgres'.");
        }

        if (options.Catalog.Backend == CatalogOptions.Postgres && string.IsNullOrWhiteSpace(options.Catalog.ConnectionString))
        {
            throw new InvalidOperationException("Catalog:Backend 'postgres' needs Catalog:ConnectionString (Host=...;Database=...;Username=...).");
        }

        if (options.Catalog.Backend == CatalogOptions.Postgres)
        {
            options.Catalog.SecretsKeyBytes();
        }

        if (options.Blocks.Backend is not (BlockOptions.Local or BlockOptions.S3))
        {
            throw new InvalidOperationException($"Blocks:Backend '{options.Blocks.Backend}' is neither 'local' nor 's3'.");
        }

        if (options.Blocks.Backend == BlockOptions.S3
            && (string.IsNullOrWhiteSpace(options.Blocks.Bucket) || options.Blocks.CacheMiB < 0 || options.Blocks.OrphanGraceMinutes < 0
                || options.Blocks.Prefix.StartsWith('/') || string.IsNullOrEmpty(options.Blocks.AccessKeyId) != string.IsNullOrEmpty(options.Blocks.SecretAccessKey)))
        {
            throw new InvalidOperationException(
                "Blocks:Backend 's3' needs Blocks:Bucket; Blocks:AccessKeyId and Blocks:SecretAccessKey go together (or use Blocks:Profile, or neither for the AWS default chain); "
                + "Blocks:Prefix may not start with '/'; Blocks:CacheMiB and Blocks:OrphanGraceMinutes are at least 0.");
        }

        if (options.Blocks.PackSizeMiB is < 1 or > 4096 || options.Blocks.Compression is not ("zstd" or "none")
            || options.Blocks.CompactionThreshold is < 0 or > 1 || options.Blocks.CompactionIntervalSeconds < 1)
        {
            throw new InvalidOperationException(
                $"Blocks:PackSizeMiB ({options.Blocks.PackSizeMiB}) must be from 1 to 4096, Blocks:Compression ('{options.Blocks.Compression}') 'zstd' or 'none', "
                + $"Blocks:CompactionThreshold ({options.Blocks.CompactionThreshold}) from 0 to 1, Blocks:CompactionIntervalSeconds ({options.Blocks.CompactionIntervalSeconds}) at least 1.");
        }

        options.DataDir = Path.GetFullPath(options.DataDir);
    }
}
