using System.Globalization;

namespace AmiVault.Benchmarks;

/// <summary>Sizes as people write them: 512K, 64M, 2G, 1T (binary units), or plain bytes.</summary>
internal static class ByteSize
{
    public static long Parse(string text)
    {
        var trimmed = text.Trim().TrimEnd('B', 'b').TrimEnd('i');
        var shift = trimmed.Length == 0 ? 0 : char.ToUpperInvariant(trimmed[^1]) switch
        {
            'K' => 10,
            'M' => 20,
            'G' => 30,
            'T' => 40,
            _ => 0,
        };
        var number = shift == 0 ? trimmed : trimmed[..^1];
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0)
        {
            throw new FormatException($"'{text}' is not a size like 512M, 2G or 1T.");
        }

        return (long)Math.Round(value * (1L << shift));
    }

    public static string Format(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        var unit = 0;
        double value = bytes;
        while (Math.Abs(value) >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{value:0.##} {units[unit]}");
    }

    /// <summary>The short form <see cref="Parse"/> reads: 2G, 256M, 1T (whole units only, else the next smaller unit).</summary>
    public static string Compact(long bytes)
    {
        foreach (var (shift, unit) in new[] { (40, "T"), (30, "G"), (20, "M"), (10, "K") })
        {
            if (bytes >= 1L << shift && bytes % (1L << shift) == 0)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{bytes >> shift}{unit}");
            }
        }

        return bytes.ToString(CultureInfo.InvariantCulture);
    }
}
