using System.Globalization;

namespace AmiVault.Imaging;

/// <summary>How many bytes of each kind an image was actually made of (the layout rounds the asked mix).</summary>
internal sealed class ImageComposition(IReadOnlyDictionary<ImageContent, long> bytes, int distinctRepeatedBlocks)
{
    public long Total { get; } = bytes.Values.Sum();

    /// <summary>How many different blocks the repeated ones are copies of.</summary>
    public int DistinctRepeatedBlocks => distinctRepeatedBlocks;

    public long this[ImageContent content] => bytes.GetValueOrDefault(content);

    public double Share(ImageContent content) => Total == 0 ? 0 : (double)this[content] / Total;

    public override string ToString() =>
        string.Join(", ", Enum.GetValues<ImageContent>().Select(k => string.Create(CultureInfo.InvariantCulture, $"{k.ToString().ToLowerInvariant()} {Share(k) * 100:0.0}%")))
        + string.Create(CultureInfo.InvariantCulture, $" ({DistinctRepeatedBlocks} distinct repeated blocks)");
}
