using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;

namespace AmiVault.Protocols.S3;

/// <summary>
/// One of S3's flexible checksums (x-amz-checksum-crc32, -crc32c, -crc64nvme, -sha1, -sha256): computed over the
/// decoded body and written as S3 does, base64 of the big-endian value.
/// </summary>
internal sealed class S3Checksum : IDisposable
{
    private readonly NonCryptographicHashAlgorithm? _crc;
    private readonly IncrementalHash? _sha;

    private S3Checksum(string header, NonCryptographicHashAlgorithm? crc, IncrementalHash? sha)
    {
        Header = header;
        _crc = crc;
        _sha = sha;
    }

    /// <summary>The header (or trailer) carrying this checksum, e.g. x-amz-checksum-crc32.</summary>
    public string Header { get; }

    public static readonly string[] Headers =
        ["x-amz-checksum-crc32", "x-amz-checksum-crc32c", "x-amz-checksum-crc64nvme", "x-amz-checksum-sha1", "x-amz-checksum-sha256"];

    /// <summary>The checksum a header or trailer name stands for; null for a name that is no checksum.</summary>
    public static S3Checksum? ForHeader(string header) => header.ToLowerInvariant() switch
    {
        "x-amz-checksum-crc32" => new S3Checksum("x-amz-checksum-crc32", new Crc32(), null),
        "x-amz-checksum-crc32c" => new S3Checksum("x-amz-checksum-crc32c", new Crc32(Crc32ParameterSet.Crc32C), null),
        "x-amz-checksum-crc64nvme" => new S3Checksum("x-amz-checksum-crc64nvme", new Crc64(Crc64ParameterSet.Nvme), null),
        "x-amz-checksum-sha1" => new S3Checksum("x-amz-checksum-sha1", null, IncrementalHash.CreateHash(HashAlgorithmName.SHA1)),
        "x-amz-checksum-sha256" => new S3Checksum("x-amz-checksum-sha256", null, IncrementalHash.CreateHash(HashAlgorithmName.SHA256)),
        _ => null,
    };

    public void Append(ReadOnlySpan<byte> data)
    {
        _crc?.Append(data);
        _sha?.AppendData(data);
    }

    public string Finish()
    {
        switch (_crc)
        {
            case Crc32 crc32:
                var four = new byte[4];
                BinaryPrimitives.WriteUInt32BigEndian(four, crc32.GetCurrentHashAsUInt32());
                return Convert.ToBase64String(four);
            case Crc64 crc64:
                var eight = new byte[8];
                BinaryPrimitives.WriteUInt64BigEndian(eight, crc64.GetCurrentHashAsUInt64());
                return Convert.ToBase64String(eight);
            default:
                return Convert.ToBase64String(_sha!.GetCurrentHash());
        }
    }

    public void Dispose() => _sha?.Dispose();
}
