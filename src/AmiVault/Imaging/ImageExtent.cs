namespace AmiVault.Imaging;

/// <summary>A written stretch of a volume: everything outside the extents of a sparse image reads as zeros.</summary>
internal readonly record struct ImageExtent(long Offset, long Length)
{
    public long End => Offset + Length;
}
