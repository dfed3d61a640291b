namespace AmiVault.Blocks;

/// <summary>How a pack record's stored bytes encode the block.</summary>
[Flags]
internal enum PackRecordFlags : byte
{
    None = 0,

    /// <summary>One zstd frame that decompresses to the whole block.</summary>
    Zstd = 1,

    /// <summary>AES-256-GCM under the key named in the header (<see cref="BlockScope"/>), applied after compression.</summary>
    Encrypted = 2,
}
