using System.Globalization;

namespace AmiVault.Imaging;

/// <summary>
/// What share of a generated image each kind of content takes. Written and parsed as
/// "zeros=45,text=20,binary=15,random=15,repeated=5" (parts of the sum, so percentages or fractions both work).
/// </summary>
internal sealed record DiskImageMix
{
    /// <summary>A used system disk: half free space, the rest mostly files, some of them in several copies.</summary>
    public static readonly DiskImageMix SystemDisk = new(zeros: 45, text: 20, binary: 15, random: 15, repeated: 5);

    private static readonly ImageContent[] Kinds = Enum.GetValues<ImageContent>();

    public DiskImageMix(double zeros, double text, double binary, double random, double repeated)
    {
        double[] parts = [zeros, text, binary, random, repeated];
        if (parts.Any(p => !double.IsFinite(p) || p < 0))
        {
            throw new ArgumentException("Every share of a disk image mix must be a finite number ≥ 0.");
        }

        var sum = parts.Sum();
        if (sum <= 0)
        {
            throw new ArgumentException("A disk image mix needs at least one share above 0.");
        }

        Zeros = zeros / sum;
        Text = text / sum;
        Binary = binary / sum;
        Random = random / sum;
        Repeated = repeated / sum;
    }

    public double Zeros { get; }

    public double Text { get; }

    public double Binary { get; }

    public double Random { get; }

    public double Repeated { get; }

    /// <summary>The share of <paramref name="content"/>, as a fraction of the whole (the shares add up to 1).</summary>
    public double this[ImageContent content] => content switch
    {
        ImageContent.Zeros => Zeros,
        ImageContent.Text => Text,
        ImageContent.Binary => Binary,
        ImageContent.Random => Random,
        ImageContent.Repeated => Repeated,
        _ => throw new ArgumentOutOfRangeException(nameof(content)),
    };

    public static DiskImageMix Parse(string text)
    {
        var shares = new Dictionary<ImageContent, double>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0
                || !Enum.TryParse<ImageContent>(part[..eq].Trim(), ignoreCase: true, out var kind)
                || !double.TryParse(part[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var share))
            {
                throw new FormatException($"'{part}' is not of the form kind=share with kind one of {string.Join(", ", Kinds).ToLowerInvariant()}.");
            }

            shares[kind] = share;
        }

        double Share(ImageContent kind) => shares.GetValueOrDefault(kind);
        return new DiskImageMix(Share(ImageContent.Zeros), Share(ImageContent.Text), Share(ImageContent.Binary), Share(ImageContent.Random), Share(ImageContent.Repeated));
    }

    /// <summary>Percentages in the form <see cref="Parse"/> reads back.</summary>
    public override string ToString() =>
        string.Join(',', Kinds.Select(k => string.Create(CultureInfo.InvariantCulture, $"{k.ToString().ToLowerInvariant()}={Math.Round(this[k] * 100, 2)}")));
}
