using System.Globalization;

namespace AmiVault.Cli.Common;

/// <summary>Byte counts, rates and durations as people read them (binary units, as disk sizes are given).</summary>
internal static class Sizes
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

    public static string Format(double bytes)
    {
        var unit = 0;
        while (Math.Abs(bytes) >= 1024 && unit < Units.Length - 1)
        {
            bytes /= 1024;
            unit++;
        }

        var format = unit == 0 || bytes >= 100 ? "0" : bytes >= 10 ? "0.0" : "0.00";
        return bytes.ToString(format, CultureInfo.InvariantCulture) + " " + Units[unit];
    }

    public static string Rate(double bytesPerSecond) => Format(bytesPerSecond) + "/s";

    public static string Duration(TimeSpan time) =>
        time.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)time.TotalHours}:{time.Minutes:00}:{time.Seconds:00}")
            : string.Create(CultureInfo.InvariantCulture, $"{time.Minutes}:{time.Seconds:00}");

    /// <summary>Seconds with two decimals, as results report elapsed time.</summary>
    public static double Seconds(TimeSpan time) => Math.Round(time.TotalSeconds, 2);

    /// <summary>Bytes per second rounded to whole MB/s (decimal), the unit the benchmarks report throughput in.</summary>
    public static double MegabytesPerSecond(long bytes, TimeSpan time) => time > TimeSpan.Zero ? Math.Round(bytes / time.TotalSeconds / 1e6, 1) : 0;
}
