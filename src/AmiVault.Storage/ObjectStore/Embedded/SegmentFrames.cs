namespace AmiVault.ObjectStore.Embedded;

/// <summary>The layout of a sealed data file: a header, then frames of <see cref="FrameSize"/> bytes each followed by its tag.</summary>
internal static class SegmentFrames
{
    public const int FrameSize = 64 * 1024;

    /// <summary>The largest tag of any seal, for sizing buffers.</summary>
    public const int MaxTagSize = 16;

    /// <summary>Frames in a file of this plaintext length; an empty file still has one (empty, sealed) frame.</summary>
    public static long FrameCount(long plainLength) => Math.Max(1, (plainLength + FrameSize - 1) / FrameSize);

    public static long FrameOffset(IFrameSeal seal, long index) => seal.HeaderSize + (index * (FrameSize + seal.TagSize));
}
