namespace AmiVault.Imaging;

/// <summary>
/// A stretch of an image's written data with one kind of content. <paramref name="Pattern"/> is how its pages are
/// made (a repeated block is made of text or binary pages from a seed it shares with its copies).
/// </summary>
internal readonly record struct ImageRegion(long Offset, long Length, ImageContent Content, ImageContent Pattern, ulong Seed)
{
    public long End => Offset + Length;
}
