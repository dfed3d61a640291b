namespace AmiVault.Archive;

/// <summary>How a frame's blocks are stored.</summary>
internal enum FrameCodec : byte
{
    /// <summary>The blocks as they are (data that zstd cannot shrink); their own SHA-256s check them.</summary>
    Raw = 0,

    /// <summary>One zstd frame holding the blocks one after another; checked by the frame's SHA-256.</summary>
    Zstd = 1,
}
