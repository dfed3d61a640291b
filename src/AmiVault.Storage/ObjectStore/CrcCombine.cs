namespace AmiVault.ObjectStore;

/// <summary>
/// The CRC of two concatenated byte strings from the CRC of each and the length of the second, for the reflected
/// CRCs S3 offers (CRC32, CRC32C, CRC64NVME: all with all-ones initial value and final xor). Appending n bytes
/// multiplies the first CRC by x^(8n) modulo the polynomial; that power is built from the squares x^(2^k) by the
/// bits of 8n, so a multipart object's checksum costs a few hundred polynomial products per part instead of
/// reading the data again. Polynomials are in reflected form: the top bit is x^0.
/// </summary>
internal sealed class CrcCombine
{
    private static readonly CrcCombine Crc32 = new(32, 0xEDB88320);
    private static readonly CrcCombine Crc32C = new(32, 0x82F63B78);
    private static readonly CrcCombine Crc64Nvme = new(64, 0x9A6C9329AC4BC9B5);

    private readonly ulong _polynomial;
    private readonly ulong _one;

    /// <summary>x^(2^k) mod P for k = 0..63: enough for any length in bytes times 8.</summary>
    private readonly ulong[] _powers = new ulong[64];

    private CrcCombine(int width, ulong polynomial)
    {
        Width = width;
        _polynomial = polynomial;
        _one = 1UL << (width - 1);
        _powers[0] = _one >> 1;
        for (var k = 1; k < _powers.Length; k++)
        {
            _powers[k] = Multiply(_powers[k - 1], _powers[k - 1]);
        }
    }

    public int Width { get; }

    public static CrcCombine For(string algorithm) => algorithm switch
    {
        FlexibleChecksum.Crc32Name => Crc32,
        FlexibleChecksum.Crc32CName => Crc32C,
        FlexibleChecksum.Crc64NvmeName => Crc64Nvme,
        _ => throw new ArgumentException($"{algorithm} is not a CRC.", nameof(algorithm)),
    };

    /// <summary>CRC(A ‖ B) from CRC(A), CRC(B) and the length of B in bytes.</summary>
    public ulong Combine(ulong first, ulong second, long secondLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(secondLength);
        return Multiply(PowerOfX(secondLength), first) ^ second;
    }

    /// <summary>x^(8n) mod P: the product of x^(2^k) over the set bits k of 8n.</summary>
    private ulong PowerOfX(long bytes)
    {
        var product = _one;
        var bits = (ulong)bytes << 3;
        for (var k = 0; bits != 0; k++, bits >>= 1)
        {
            if ((bits & 1) != 0)
            {
                product = Multiply(_powers[k], product);
            }
        }

        return product;
    }

    /// <summary>a·b mod P, both reflected: b is multiplied by x one step per bit of a, from x^0 down.</summary>
    private ulong Multiply(ulong a, ulong b)
    {
        ulong product = 0;
        for (var bit = _one; bit != 0; bit >>= 1)
        {
            if ((a & bit) != 0)
            {
                product ^= b;
            }

            b = (b & 1) != 0 ? (b >> 1) ^ _polynomial : b >> 1;
        }

        return product;
    }
}
