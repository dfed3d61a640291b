using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;

namespace AmiVault.ObjectStore;

/// <summary>
/// One of S3's flexible checksums (CRC32, CRC32C, CRC64NVME, SHA1, SHA256), computed incrementally over an object's
/// or part's bytes and written as S3 writes it: base64 of the big-endian value. Also knows how S3 derives the checksum
/// of a multipart object from its parts' checksums (<see cref="Composite"/>, <see cref="CombineFullObject"/>).
/// </summary>
internal sealed class FlexibleChecksum : IDisposable
{
    public const string Crc32Name = "CRC32";
    public const string Crc32CName = "CRC32C";
    public const string Crc64NvmeName = "CRC64NVME";
    public const string Sha1Name = "SHA1";
    public const string Sha256Name = "SHA256";

    private const string HeaderPrefix = "x-amz-checksum-";

    /// <summary>The algorithms, in the order S3 lists them.</summary>
    public static readonly IReadOnlyList<string> Algorithms = [Crc32Name, Crc32CName, Crc64NvmeName, Sha1Name, Sha256Name];

    /// <summary>The header (or trailer) of each algorithm, e.g. x-amz-checksum-crc32.</summary>
    public static readonly IReadOnlyList<string> Headers = [.. Algorithms.Select(HeaderOf)];

    private readonly NonCryptographicHashAlgorithm? _crc;
    private readonly IncrementalHash? _sha;

    private FlexibleChecksum(string algorithm, NonCryptographicHashAlgorithm? crc, IncrementalHash? sha)
    {
        Algorithm = algorithm;
        _crc = crc;
        _sha = sha;
    }

    /// <summary>The algorithm's name as S3 spells it in x-amz-checksum-algorithm (CRC32, SHA256…).</summary>
    public string Algorithm { get; }

    /// <summary>The header (or trailer) carrying this checksum, e.g. x-amz-checksum-crc32.</summary>
    public string Header => HeaderOf(Algorithm);

    public static string HeaderOf(string algorithm) => HeaderPrefix + algorithm.ToLowerInvariant();

    /// <summary>The algorithm's name, S3's spelling, for a name in any case; null for one S3 does not offer.</summary>
    public static string? Normalize(string name) => Algorithms.FirstOrDefault(a => string.Equals(a, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The algorithm a header or trailer name stands for; null for a name that is no checksum.</summary>
    public static string? AlgorithmOfHeader(string header) =>
        header.StartsWith(HeaderPrefix, StringComparison.OrdinalIgnoreCase) ? Normalize(header[HeaderPrefix.Length..]) : null;

    /// <summary>The checksum a header or trailer name stands for; null for a name that is no checksum.</summary>
    public static FlexibleChecksum? ForHeader(string header) => AlgorithmOfHeader(header) is { } algorithm ? Create(algorithm) : null;

    /// <summary>A new computation of <paramref name="algorithm"/> (S3's spelling, see <see cref="Normalize"/>).</summary>
    public static FlexibleChecksum Create(string algorithm) => algorithm switch
    {
        Crc32Name => new FlexibleChecksum(algorithm, new Crc32(), null),
        Crc32CName => new FlexibleChecksum(algorithm, new Crc32(Crc32ParameterSet.Crc32C), null),
        Crc64NvmeName => new FlexibleChecksum(algorithm, new Crc64(Crc64ParameterSet.Nvme), null),
        Sha1Name => new FlexibleChecksum(algorithm, null, IncrementalHash.CreateHash(HashAlgorithmName.SHA1)),
        Sha256Name => new FlexibleChecksum(algorithm, null, IncrementalHash.CreateHash(HashAlgorithmName.SHA256)),
        _ => throw new ArgumentException($"{algorithm} is not a flexible checksum.", nameof(algorithm)),
    };

    /// <summary>Whether S3 can give a multipart upload of <paramref name="algorithm"/> a checksum of the whole object (the CRCs).</summary>
    public static bool SupportsFullObject(string algorithm) => algorithm is Crc32Name or Crc32CName or Crc64NvmeName;

    /// <summary>Whether S3 can give it a composite checksum (all but CRC64NVME).</summary>
    public static bool SupportsComposite(string algorithm) => algorithm is not Crc64NvmeName;

    /// <summary>The length in bytes of the algorithm's value: what a well-formed base64 value decodes to.</summary>
    public static int LengthOf(string algorithm) => algorithm switch
    {
        Crc32Name or Crc32CName => 4,
        Crc64NvmeName => 8,
        Sha1Name => 20,
        _ => 32,
    };

    /// <summary>Whether <paramref name="value"/> is base64 of exactly the algorithm's length.</summary>
    public static bool IsWellFormed(string algorithm, string value)
    {
        Span<byte> bytes = stackalloc byte[33];
        return Convert.TryFromBase64String(value, bytes, out var written) && written == LengthOf(algorithm);
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        _crc?.Append(data);
        _sha?.AppendData(data);
    }

    public string Finish() => Convert.ToBase64String(FinishBytes());

    private byte[] FinishBytes()
    {
        switch (_crc)
        {
            case Crc32 crc32:
                var four = new byte[4];
                BinaryPrimitives.WriteUInt32BigEndian(four, crc32.GetCurrentHashAsUInt32());
                return four;
            case Crc64 crc64:
                var eight = new byte[8];
                BinaryPrimitives.WriteUInt64BigEndian(eight, crc64.GetCurrentHashAsUInt64());
                return eight;
            default:
                return _sha!.GetCurrentHash();
        }
    }

    /// <summary>
    /// S3's composite checksum of a multipart object: the algorithm over the concatenated binary checksums of the
    /// parts, in part order (S3 answers it with "-N", the parts count, after it).
    /// </summary>
    public static string Composite(string algorithm, IEnumerable<string> partChecksums)
    {
        using var checksum = Create(algorithm);
        foreach (var part in partChecksums)
        {
            checksum.Append(Convert.FromBase64String(part));
        }

        return checksum.Finish();
    }

    /// <summary>
    /// The CRC of the whole object from the CRCs and lengths of its parts, without reading the data again
    /// (<see cref="CrcCombine"/>): S3's FULL_OBJECT checksum of a multipart upload.
    /// </summary>
    public static string CombineFullObject(string algorithm, IEnumerable<(string Checksum, long Length)> parts)
    {
        var crc = CrcCombine.For(algorithm);
        ulong whole = 0;
        long total = 0;
        foreach (var (checksum, length) in parts)
        {
            var bytes = Convert.FromBase64String(checksum);
            var value = bytes.Length == 8 ? BinaryPrimitives.ReadUInt64BigEndian(bytes) : BinaryPrimitives.ReadUInt32BigEndian(bytes);
            whole = total == 0 ? value : crc.Combine(whole, value, length);
            total += length;
        }

        var result = new byte[crc.Width / 8];
        if (crc.Width == 64)
        {
            BinaryPrimitives.WriteUInt64BigEndian(result, whole);
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(result, (uint)whole);
        }

        return Convert.ToBase64String(result);
    }

    public void Dispose() => _sha?.Dispose();
}
