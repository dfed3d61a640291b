using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using AmiVault.ObjectStore;

namespace AmiVault.Tests.ObjectStore;

/// <summary>
/// S3's flexible checksums: the catalogue check values of each CRC, and the multipart derivations (the composite
/// checksum and the full-object CRC combined from the parts' CRCs) against the checksum of the whole data computed
/// directly with System.IO.Hashing.
/// </summary>
public sealed class FlexibleChecksumTests
{
    private static string Compute(string algorithm, ReadOnlySpan<byte> data)
    {
        using var checksum = FlexibleChecksum.Create(algorithm);
        checksum.Append(data);
        return checksum.Finish();
    }

    [Theory]
    [InlineData("CRC32", "cbf43926")]
    [InlineData("CRC32C", "e3069283")]
    [InlineData("CRC64NVME", "ae8b14860a799888")]
    [InlineData("SHA1", "f7c3bc1d808e04732adf679965ccc34ca7ae3441")]
    public void Each_algorithm_gives_the_catalogue_check_value_of_123456789(string algorithm, string hex) =>
        Assert.Equal(Convert.ToBase64String(Convert.FromHexString(hex)), Compute(algorithm, "123456789"u8));

    [Theory]
    [InlineData("CRC32")]
    [InlineData("CRC32C")]
    [InlineData("CRC64NVME")]
    public void The_full_object_CRC_combined_from_parts_is_the_CRC_of_all_the_data(string algorithm)
    {
        var random = new Random(15);
        foreach (var sizes in new[] { new[] { 0 }, [1], [7, 0, 3], [5 * 1024 * 1024, 5 * 1024 * 1024, 1], [65_537, 4096, 12_345, 1, 1_000_000], [0, 0, 9] })
        {
            var parts = sizes.Select(size => { var bytes = new byte[size]; random.NextBytes(bytes); return bytes; }).ToList();
            var whole = parts.SelectMany(p => p).ToArray();

            var combined = FlexibleChecksum.CombineFullObject(algorithm, parts.Select(p => (Compute(algorithm, p), (long)p.Length)));

            byte[] bytes;
            if (algorithm == "CRC64NVME")
            {
                var crc = new Crc64(Crc64ParameterSet.Nvme);
                crc.Append(whole);
                bytes = new byte[8];
                BinaryPrimitives.WriteUInt64BigEndian(bytes, crc.GetCurrentHashAsUInt64());
            }
            else
            {
                var crc = algorithm == "CRC32" ? new Crc32() : new Crc32(Crc32ParameterSet.Crc32C);
                crc.Append(whole);
                bytes = new byte[4];
                BinaryPrimitives.WriteUInt32BigEndian(bytes, crc.GetCurrentHashAsUInt32());
            }

            Assert.Equal(Convert.ToBase64String(bytes), combined);
        }
    }

    [Fact]
    public void A_composite_checksum_is_the_algorithm_over_the_parts_binary_checksums()
    {
        var parts = new[] { "one"u8.ToArray(), "two"u8.ToArray(), "three"u8.ToArray() };
        var expected = Convert.ToBase64String(SHA256.HashData(parts.SelectMany(SHA256.HashData).ToArray()));

        Assert.Equal(expected, FlexibleChecksum.Composite("SHA256", parts.Select(p => Compute("SHA256", p))));

        var crcs = parts.SelectMany(p => { var b = new byte[4]; BinaryPrimitives.WriteUInt32BigEndian(b, Crc32.HashToUInt32(p)); return b; }).ToArray();
        var crcOfCrcs = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crcOfCrcs, Crc32.HashToUInt32(crcs));
        Assert.Equal(Convert.ToBase64String(crcOfCrcs), FlexibleChecksum.Composite("CRC32", parts.Select(p => Compute("CRC32", p))));
    }

    [Fact]
    public void Names_are_taken_in_any_case_and_values_must_have_the_algorithms_length()
    {
        Assert.Equal("CRC64NVME", FlexibleChecksum.Normalize("crc64nvme"));
        Assert.Null(FlexibleChecksum.Normalize("md5"));
        Assert.Equal("CRC32C", FlexibleChecksum.AlgorithmOfHeader("X-Amz-Checksum-Crc32c"));
        Assert.True(FlexibleChecksum.IsWellFormed("CRC32", "DUoRhQ=="));
        Assert.False(FlexibleChecksum.IsWellFormed("CRC64NVME", "DUoRhQ=="));
        Assert.False(FlexibleChecksum.IsWellFormed("SHA256", "not base64!"));
    }
}
