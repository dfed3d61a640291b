namespace AmiVault.Imaging;

/// <summary>The kinds of content a generated disk image is made of.</summary>
internal enum ImageContent
{
    /// <summary>Free or zeroed space: long runs of zero bytes, which block stores skip.</summary>
    Zeros,

    /// <summary>Text files: configuration, logs, scripts, documentation (zstd -3 makes them about 3x smaller).</summary>
    Text,

    /// <summary>Executables and libraries: machine-code-like tokens, offsets, pointers, padding (about 2x smaller).</summary>
    Binary,

    /// <summary>Already compressed or encrypted data: incompressible.</summary>
    Random,

    /// <summary>Whole 512 KiB blocks that occur several times at block-aligned offsets, as copies of the same files do.</summary>
    Repeated,
}
