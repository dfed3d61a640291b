using AmiVault.ObjectStore;

namespace AmiVault.Configuration;

/// <summary>Everything `amivault serve` can be told, bound from config file, environment and flags.</summary>
internal sealed class AmiVaultOptions
{
    public const int DefaultPort = 8750;

    public string Region { get; set; } = "us-east-1";

    /// <summary>Derived from <see cref="Region"/> when not set; see <see cref="Partitions"/>.</summary>
    public string? Partition { get; set; }

    public string Listen { get; set; } = "127.0.0.1";

    /// <summary>HTTPS on <see cref="Port"/>; required to listen on anything but loopback (image data crosses the network).</summary>
    public TlsOptions Tls { get; set; } = new();

    /// <summary>Lets a server without TLS listen on a non-loopback address (behind a TLS-terminating proxy, say).</summary>
    public bool AllowInsecureListen { get; set; }

    public int Port { get; set; } = DefaultPort;

    public string DataDir { get; set; } = DefaultDataDir();

    public List<AccountOptions> Accounts { get; set; } = [];

    public TaskOptions Tasks { get; set; } = new();

    public const string JsonLogs = "json";

    /// <summary>"text" (default: one readable line an event) or "json" (one JSON object a line, for log collectors).</summary>
    public string LogFormat { get; set; } = "text";

    public BucketOptions Buckets { get; set; } = new();

    public CatalogOptions Catalog { get; set; } = new();

    public BlockOptions Blocks { get; set; } = new();

    public string EffectivePartition => string.IsNullOrEmpty(Partition) ? Partitions.FromRegion(Region) : Partition;

    /// <summary>$XDG_DATA_HOME/amivault, else ~/.local/share/amivault: the usual home of a user's service data.</summary>
    public static string DefaultDataDir()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        var root = string.IsNullOrEmpty(xdg)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share")
            : xdg;
        return Path.Combine(root, "amivault");
    }
}

internal sealed class AccountOptions
{
    public string Id { get; set; } = "";

    public string AccessKeyId { get; set; } = "";

    public string SecretAccessKey { get; set; } = "";
}

/// <summary>
/// Quotas and limits of the store/restore engine. The defaults are AWS's as documented today ("Store and restore an
/// AMI using S3", quotas): an image of up to 5,000 GB before compression, 1,200 GB of store work and 600 GB of restore
/// work in progress per account (the older values were 1,000 / 600 / 300).
/// </summary>
internal sealed class TaskOptions
{
    public long MaxImageSizeGb { get; set; } = 5000;

    public long StoreQuotaGb { get; set; } = 1200;

    public long RestoreQuotaGb { get; set; } = 600;

    /// <summary>Tasks this node runs at once; 0 (cluster only) for a node that admits tasks but leaves running them to the others.</summary>
    public int Workers { get; set; } = 2;

    /// <summary>
    /// How long a node's claim on a running task lasts unless renewed (it renews every third of it): in a cluster, how
    /// soon after a node dies another node takes its tasks over.
    /// </summary>
    public int LeaseSeconds { get; set; } = 30;
}
