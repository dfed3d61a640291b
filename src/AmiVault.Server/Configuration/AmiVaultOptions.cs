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

    public int Port { get; set; } = DefaultPort;

    public string DataDir { get; set; } = DefaultDataDir();

    public List<AccountOptions> Accounts { get; set; } = [];

    /// <summary>
    /// The 32-byte key IAM secret access keys are sealed with in the catalog; default iam-secrets.key in the data
    /// folder, created on first start. Keep it (and its backups) apart from catalog.db backups.
    /// </summary>
    public string? IamKeyFile { get; set; }

    public TaskOptions Tasks { get; set; } = new();

    public BucketOptions Buckets { get; set; } = new();

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

/// <summary>Quotas and limits of the store/restore engine; defaults are AWS's published ones.</summary>
internal sealed class TaskOptions
{
    public long MaxImageSizeGb { get; set; } = 1000;

    public long StoreQuotaGb { get; set; } = 600;

    public long RestoreQuotaGb { get; set; } = 300;

    public int Workers { get; set; } = 2;
}
