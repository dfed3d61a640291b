using System.Globalization;
using System.Security.Cryptography;
using AmiVault.Configuration;
using AmiVault.Tests.Support;
using AmiVault.Tests.Tasks;

namespace AmiVault.Tests.Cluster;

/// <summary>
/// A cluster as an operator starts one: a fresh database on the test run's PostgreSQL, buckets on the shared Ceph
/// RGW, snapshot blocks as pack objects in a bucket of their own on the same RGW (`Blocks:Backend s3`), one
/// SecretsKey, and `amivault serve` processes started with the same settings (environment variables), each on a data
/// folder of its own that no other node sees.
/// </summary>
internal sealed class TestCluster : IAsyncDisposable
{
    public const int LeaseSeconds = 4;

    private readonly CephRgwFixture _ceph;
    private readonly string _connectionString;
    private readonly string _secretsKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly List<ChildServer> _nodes = [];
    private readonly List<string> _dataDirs = [];
    private readonly string _blocksBucket = "cluster-blocks-" + Guid.NewGuid().ToString("N")[..12];

    private TestCluster(CephRgwFixture ceph, string connectionString, long storeQuotaGb)
    {
        _ceph = ceph;
        _connectionString = connectionString;
        StoreQuotaGb = storeQuotaGb;
    }

    public long StoreQuotaGb { get; }

    public static async Task<TestCluster> CreateAsync(CephRgwFixture ceph, long storeQuotaGb = 1200) =>
        new(ceph, await (await PostgresServer.SharedAsync()).CreateDatabaseAsync(), storeQuotaGb);

    public string NewDataDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "amivault-cluster-" + Guid.NewGuid().ToString("N"));
        _dataDirs.Add(dir);
        return dir;
    }

    /// <summary>A node in a process of its own; <paramref name="workers"/> 0 makes one that only answers requests.</summary>
    public async Task<ChildServer> StartNodeAsync(string dataDir, int workers)
    {
        var environment = new Dictionary<string, string>(Settings())
        {
            ["AMIVAULT_TASKS__WORKERS"] = workers.ToString(CultureInfo.InvariantCulture),
            ["AMIVAULT_TASKS__LEASESECONDS"] = LeaseSeconds.ToString(CultureInfo.InvariantCulture),
            ["AMIVAULT_TASKS__STOREQUOTAGB"] = StoreQuotaGb.ToString(CultureInfo.InvariantCulture),
            ["AMIVAULT_LOGFORMAT"] = "json",
        };
        var node = await ChildServer.StartAsync(dataDir, environment: environment);
        _nodes.Add(node);
        return node;
    }

    /// <summary>What every node and `amivault migrate` are given: the catalog, the buckets and the block store, as AMIVAULT_* variables.</summary>
    public IReadOnlyDictionary<string, string> Settings() => new Dictionary<string, string>
    {
        ["AMIVAULT_CATALOG__BACKEND"] = CatalogOptions.Postgres,
        ["AMIVAULT_CATALOG__CONNECTIONSTRING"] = _connectionString,
        ["AMIVAULT_CATALOG__SECRETSKEY"] = _secretsKey,
        ["AMIVAULT_BUCKETS__BACKEND"] = "external",
        ["AMIVAULT_BUCKETS__ENDPOINTURL"] = _ceph.EndpointUrl,
        ["AMIVAULT_BUCKETS__ACCESSKEYID"] = _ceph.AccessKey,
        ["AMIVAULT_BUCKETS__SECRETACCESSKEY"] = _ceph.SecretKey,
        ["AMIVAULT_BLOCKS__BACKEND"] = BlockOptions.S3,
        ["AMIVAULT_BLOCKS__ENDPOINTURL"] = _ceph.EndpointUrl,
        ["AMIVAULT_BLOCKS__BUCKET"] = _blocksBucket,
        ["AMIVAULT_BLOCKS__ACCESSKEYID"] = _ceph.AccessKey,
        ["AMIVAULT_BLOCKS__SECRETACCESSKEY"] = _ceph.SecretKey,
    };

    /// <summary>A node in the test's own process with the same settings: to prepare data fast (fixtures write through its services) and to inspect it.</summary>
    public Task<TestServer> StartInProcessAsync(string dataDir) =>
        TestServer.StartAsync("us-east-1", o =>
        {
            o.DataDir = dataDir;
            o.Catalog.Backend = CatalogOptions.Postgres;
            o.Catalog.ConnectionString = _connectionString;
            o.Catalog.SecretsKey = _secretsKey;
            o.Buckets.Backend = "external";
            o.Buckets.EndpointUrl = _ceph.EndpointUrl;
            o.Buckets.AccessKeyId = _ceph.AccessKey;
            o.Buckets.SecretAccessKey = _ceph.SecretKey;
            o.Blocks.Backend = BlockOptions.S3;
            o.Blocks.EndpointUrl = _ceph.EndpointUrl;
            o.Blocks.Bucket = _blocksBucket;
            o.Blocks.AccessKeyId = _ceph.AccessKey;
            o.Blocks.SecretAccessKey = _ceph.SecretKey;
            o.Tasks.LeaseSeconds = LeaseSeconds;
            o.Tasks.StoreQuotaGb = StoreQuotaGb;
        });

    /// <summary>
    /// Empties and deletes a bucket on Ceph, through a single server of its own (SQLite): a cluster node would first
    /// take over the cluster's unfinished tasks.
    /// </summary>
    public async Task DeleteBucketAsync(string bucket)
    {
        await using var server = await TestServer.StartAsync("us-east-1", o =>
        {
            o.Buckets.Backend = "external";
            o.Buckets.EndpointUrl = _ceph.EndpointUrl;
            o.Buckets.AccessKeyId = _ceph.AccessKey;
            o.Buckets.SecretAccessKey = _ceph.SecretKey;
        });
        var buckets = ImageFixtures.Buckets(server);
        foreach (var upload in (await buckets.ListMultipartUploadsAsync(bucket, new AmiVault.ObjectStore.ListUploadsQuery())).Uploads)
        {
            await buckets.AbortMultipartUploadAsync(bucket, upload.Key, upload.UploadId);
        }

        IReadOnlyList<AmiVault.ObjectStore.ObjectSummary> objects;
        do
        {
            objects = (await buckets.ListObjectsAsync(bucket, new AmiVault.ObjectStore.ListObjectsQuery())).Objects;
            foreach (var summary in objects)
            {
                await buckets.DeleteObjectAsync(bucket, summary.Key);
            }
        }
        while (objects.Count > 0);

        await buckets.DeleteBucketAsync(bucket);
    }

    /// <summary>The pack objects of the cluster's block store (their keys), to see what a killed node left.</summary>
    public string BlocksBucket => _blocksBucket;

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        try
        {
            await DeleteBucketAsync(_blocksBucket);
        }
        catch (AmiVault.ObjectStore.ObjectStoreException e) when (e.Code == "NoSuchBucket")
        {
            // No node ever opened its block store.
        }

        foreach (var dir in _dataDirs.Where(Directory.Exists))
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
