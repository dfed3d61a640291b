using System.Security.Cryptography;
using AmiVault.Blocks;
using AmiVault.Ebs;

namespace AmiVault.Tests.Ebs;

public sealed class BlockHashesTests
{
    [Fact]
    public void The_zero_hash_constant_is_the_SHA256_of_an_empty_block_and_zero_detection_sees_one_stray_byte()
    {
        var zeros = new byte[IBlockStore.BlockSize];
        Assert.Equal(SHA256.HashData(zeros), BlockHashes.Zero.ToArray());
        Assert.Equal(BlockHashes.ZeroBase64, Convert.ToBase64String(SHA256.HashData(zeros)));
        Assert.True(BlockHashes.IsZero(zeros));
        zeros[^1] = 1;
        Assert.False(BlockHashes.IsZero(zeros));
    }

    [Fact]
    public void The_linear_checksum_matches_the_published_test_vector()
    {
        using var linear = new LinearChecksum();
        linear.Append(SHA256.HashData(new byte[IBlockStore.BlockSize]));
        linear.Append(SHA256.HashData(Enumerable.Repeat((byte)1, IBlockStore.BlockSize).ToArray()));
        Assert.Equal("HFRGTdrSd+vfQo2s4W+AwgFjuBSYcNtoI3LPFCEQbPw=", linear.ToBase64());
    }
}
