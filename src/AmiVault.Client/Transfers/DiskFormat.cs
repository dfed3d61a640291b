namespace AmiVault.Transfers;

/// <summary>Disk image formats, named as qemu-img names them, recognised by their first bytes.</summary>
internal static class DiskFormat
{
    public const string Raw = "raw";

    /// <summary>The formats qemu-img converts from; every other input must be raw.</summary>
    public static readonly IReadOnlyList<string> Converted = ["qcow2", "vmdk", "vhdx", "vpc"];

    /// <summary>The format of the image at <paramref name="path"/>: a known magic, else raw (a raw image has none).</summary>
    public static string Detect(string path)
    {
        using var file = File.OpenRead(path);
        var head = new byte[64];
        var length = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        var start = head.AsSpan(0, length);
        if (start.StartsWith((ReadOnlySpan<byte>)[(byte)'Q', (byte)'F', (byte)'I', 0xFB]))
        {
            return "qcow2";
        }

        if (start.StartsWith("KDMV"u8) || start.StartsWith("# Disk DescriptorFile"u8))
        {
            return "vmdk";
        }

        if (start.StartsWith("vhdxfile"u8))
        {
            return "vhdx";
        }

        // A dynamic VHD starts with a copy of its footer; a fixed one only ends with it, and is raw data before it.
        return start.StartsWith("conectix"u8) ? "vpc" : Raw;
    }

    public static string Describe(string format) => format == "vpc" ? "VHD" : format.ToUpperInvariant();
}
