namespace AmiVault.Configuration;

/// <summary>Where and how snapshot blocks are kept (the block store's pack files).</summary>
internal sealed class BlockOptions
{
    /// <summary>"local": pack files under the data folder.</summary>
    public string Backend { get; set; } = "local";

    /// <summary>A pack is closed and a new one begun once it holds this much.</summary>
    public int PackSizeMiB { get; set; } = 64;

    /// <summary>"zstd" (level 1, kept only where it saves an eighth of a block) or "none".</summary>
    public string Compression { get; set; } = "zstd";

    /// <summary>A closed pack whose live share falls below this is rewritten by compaction.</summary>
    public double CompactionThreshold { get; set; } = 0.5;

    /// <summary>How often compaction looks at the packs when no deletion prompts it.</summary>
    public int CompactionIntervalSeconds { get; set; } = 300;
}
