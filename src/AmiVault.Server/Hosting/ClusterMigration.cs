using AmiVault.Blocks;
using AmiVault.Catalog;
using AmiVault.Catalog.Postgres;
using AmiVault.Catalog.Sqlite;
using AmiVault.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AmiVault.Hosting;

/// <summary>
/// `amivault migrate`: moves one embedded server's state into a cluster: its server keys into the cluster's
/// catalog (sealed with Catalog:SecretsKey), the SQLite catalog into PostgreSQL (<see cref="CatalogCopier"/>), and
/// every block a snapshot references from the local packs into the S3 block store. It holds the data folder's lock
/// throughout, so it refuses to run while a server uses the folder, and no server can start on it meanwhile. Each
/// step skips what an earlier, interrupted run already moved; the end compares counts and digests (the catalog's
/// rows, and every block's record read back from S3 and checked: its checksum and its address; records move as they are
/// stored, so blocks of encrypted snapshots stay sealed). The source is opened as a server opens
/// it (crash recovery) and otherwise left as it was.
/// </summary>
internal static class ClusterMigration
{
    /// <summary>Blocks read and written at once: enough to fill the S3 group commit's batches.</summary>
    private const int Parallelism = 8;

    /// <summary>Moves <paramref name="dataDir"/> into the cluster <paramref name="target"/> describes; returns what verification found wrong (nothing when all matches).</summary>
    public static async Task<IReadOnlyList<string>> RunAsync(string dataDir, AmiVaultOptions target, Action<string> report, CancellationToken cancellationToken)
    {
        if (target.Catalog.Backend != CatalogOptions.Postgres || string.IsNullOrEmpty(target.Catalog.ConnectionString))
        {
            throw new InvalidOperationException("migrate moves a data folder into a cluster: set Catalog:Backend postgres and Catalog:ConnectionString (and Catalog:SecretsKey).");
        }

        if (target.Blocks.Backend != BlockOptions.S3)
        {
            throw new InvalidOperationException("migrate moves the blocks into the cluster's S3 block store: set Blocks:Backend s3 and Blocks:Bucket.");
        }

        var catalogFile = Path.Combine(dataDir, "catalog.db");
        if (!File.Exists(catalogFile))
        {
            throw new InvalidOperationException($"{dataDir} holds no AmiVault catalog (catalog.db).");
        }

        using var folderLock = DataDirectoryLock.Acquire(dataDir);
        using var source = new SqliteDatabase(catalogFile);
        using var cluster = new PostgresDatabase(target.Catalog.ConnectionString);

        // Keys first: the IAM secrets in the catalog are sealed with one of them, and tokens signed before stay valid.
        var clusterKeys = new PostgresServerKeys(cluster, target.Catalog.SecretsKeyBytes());
        foreach (var (name, key) in new DataFolderKeys(dataDir).Existing())
        {
            if (!await clusterKeys.ImportAsync(name, key, cancellationToken))
            {
                throw new InvalidOperationException(
                    $"The cluster's catalog already has another server key '{name}': it was not made from this data folder. Migrate into a new database.");
            }

            report($"keys: {name}");
        }

        var copier = new CatalogCopier(source, cluster);
        await copier.CopyAsync(report, cancellationToken);

        // Blocks after the catalog: the snapshots' references are in the cluster before their blocks land, so no
        // node's start-up sweep takes them for leftovers.
        var hashes = copier.ReferencedHashes();
        report($"blocks: moving the {hashes.Count} blocks the snapshots reference");
        var scratch = Path.Combine(Path.GetTempPath(), "amivault-migrate-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var from = await OpenAsync(target.Blocks, BlockOptions.Local, Path.Combine(dataDir, "blocks"), new SqliteBlockIndex(source), target.Region, cancellationToken);
            await using var to = await OpenAsync(target.Blocks, BlockOptions.S3, scratch, new PostgresBlockIndex(cluster), target.Region, cancellationToken);
            var index = new PostgresBlockIndex(cluster);
            var moved = 0;
            await Parallel.ForEachAsync(hashes, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (hash, ct) =>
            {
                if (await index.FindAsync(hash, ct) is null)
                {
                    // Records move as they are stored: blocks of encrypted snapshots stay sealed, no key is needed.
                    await from.CopyRecordToAsync(hash, to, ct);
                    Interlocked.Increment(ref moved);
                }
            });
            report($"blocks: {hashes.Count} referenced, {moved} moved now, {hashes.Count - moved} moved before");

            var problems = new List<string>(await copier.VerifyAsync(cancellationToken));
            var unreadable = 0;
            await Parallel.ForEachAsync(hashes, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (hash, ct) =>
            {
                try
                {
                    await to.CheckRecordAsync(hash, ct); // the record's checksum and the block's address
                }
                catch (Exception e) when (e is BlockMissingException or BlockDamagedException)
                {
                    Interlocked.Increment(ref unreadable);
                }
            });
            if (unreadable > 0)
            {
                problems.Add($"blocks: {unreadable} of {hashes.Count} cannot be read back from the cluster's block store");
            }

            report(problems.Count == 0
                ? $"verified: every table's rows and digest match; all {hashes.Count} blocks read back from S3 with their checksums"
                : "verification found differences");
            return problems;
        }
        finally
        {
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
    }

    /// <summary>A block store of the given backend with the target's settings; on S3 without a read cache, so verification reads S3 itself.</summary>
    private static async Task<PackBlockStore> OpenAsync(BlockOptions target, string backend, string root, IBlockIndex index, string region, CancellationToken cancellationToken)
    {
        var options = new BlockOptions
        {
            Backend = backend,
            PackSizeMiB = target.PackSizeMiB,
            Compression = target.Compression,
            EndpointUrl = target.EndpointUrl,
            Bucket = target.Bucket,
            Region = target.Region,
            Prefix = target.Prefix,
            Profile = target.Profile,
            AccessKeyId = target.AccessKeyId,
            SecretAccessKey = target.SecretAccessKey,
            ForcePathStyle = target.ForcePathStyle,
            CacheMiB = 0,
            OrphanGraceMinutes = target.OrphanGraceMinutes,
        };
        var packs = await PackBackends.OpenAsync(options, root, region, cancellationToken);
        return await PackBlockStore.OpenAsync(root, packs, index, PackStoreSettings.From(options), NullLogger.Instance, cancellationToken);
    }
}
