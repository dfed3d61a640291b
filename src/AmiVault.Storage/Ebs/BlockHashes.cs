using System.Security.Cryptography;

namespace AmiVault.Ebs;

/// <summary>SHA-256 block addresses and the all-zero block, which is recognised rather than stored.</summary>
internal static class BlockHashes
{
    public const int Length = 32;

    /// <summary>SHA-256 of <see cref="EbsBlock.Size"/> zero bytes, base64 (the EBS checksum of an empty block).</summary>
    public const string ZeroBase64 = "B4VNL+8pega6gWheZgwzLeNtXRjVRpJ9MNqtbX/aFUE=";

    /// <summary>SHA-256 of <see cref="EbsBlock.Size"/> zero bytes.</summary>
    public static ReadOnlySpan<byte> Zero =>
    [
        0x07, 0x85, 0x4D, 0x2F, 0xEF, 0x29, 0x7A, 0x06, 0xBA, 0x81, 0x68, 0x5E, 0x66, 0x0C, 0x33, 0x2D,
        0xE3, 0x6D, 0x5D, 0x18, 0xD5, 0x46, 0x92, 0x7D, 0x30, 0xDA, 0xAD, 0x6D, 0x7F, 0xDA, 0x15, 0x41,
    ];

    /// <summary>Whether every byte is zero; vectorised, so cheap enough to ask of every block that passes.</summary>
    public static bool IsZero(ReadOnlySpan<byte> data) => !data.ContainsAnyExcept((byte)0);

    public static bool IsZeroHash(ReadOnlySpan<byte> hash) => hash.SequenceEqual(Zero);

    public static byte[] Compute(ReadOnlySpan<byte> block) => SHA256.HashData(block);

    public static string ToHex(ReadOnlySpan<byte> hash) => Convert.ToHexStringLower(hash);
}
