namespace AmiVault.Configuration;

/// <summary>Where and how snapshot block data is kept (the "Blocks" section).</summary>
internal sealed class BlockOptions
{
    public const string Local = "local";
    public const string S3 = "s3";

    /// <summary>"local": pack files under the data folder; "s3": pack objects in an S3 bucket (the settings below).</summary>
    public string Backend { get; set; } = Local;

    /// <summary>A local pack is closed and a new one begun once it holds this much; on S3, compaction merges packs under a quarter of it.</summary>
    public int PackSizeMiB { get; set; } = 64;

    /// <summary>"zstd" (fast level -1, kept only where it saves an eighth of a block) or "none".</summary>
    public string Compression { get; set; } = "zstd";

    /// <summary>A closed pack whose live share falls below this is rewritten by compaction.</summary>
    public double CompactionThreshold { get; set; } = 0.5;

    /// <summary>How often compaction looks at the packs when no deletion prompts it.</summary>
    public int CompactionIntervalSeconds { get; set; } = 300;

    /// <summary>S3: the service's URL (AWS's regional endpoint when not set).</summary>
    public string? EndpointUrl { get; set; }

    /// <summary>S3: the bucket holding the packs (created when missing).</summary>
    public string? Bucket { get; set; }

    /// <summary>S3: the bucket's region (the server's region when not set).</summary>
    public string? Region { get; set; }

    /// <summary>S3: where in the bucket the packs are, e.g. "amivault/" (packs go under "{Prefix}packs/").</summary>
    public string Prefix { get; set; } = "";

    /// <summary>S3: a named profile of the AWS shared config and credentials files.</summary>
    public string? Profile { get; set; }

    /// <summary>S3: a key pair (wins over <see cref="Profile"/>; with neither, the AWS default chain decides).</summary>
    public string? AccessKeyId { get; set; }

    public string? SecretAccessKey { get; set; }

    public bool ForcePathStyle { get; set; } = true;

    /// <summary>S3: the local cache of records read, under the data folder; 0 turns it off.</summary>
    public int CacheMiB { get; set; } = 1024;

    /// <summary>
    /// S3: a pack object the catalog does not know (its server died between the PUT and the catalog commit) is
    /// removed at start-up once it is this old; younger ones may be another server's write in progress.
    /// </summary>
    public int OrphanGraceMinutes { get; set; } = 60;

    /// <summary>The prefix as used in keys: empty, or ending with '/'.</summary>
    public string KeyPrefix => Prefix.Length == 0 || Prefix.EndsWith('/') ? Prefix : Prefix + "/";
}
