namespace AmiVault.Blocks;

/// <summary>How a pack record's stored bytes encode the block.</summary>
[Flags]
internal enum PackRecordFlags : byte
{
    None = 0,

    /// <summary>One zstd frame that decompresses to the whole block.</summary>
    Zstd = 1,
}
