using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;

namespace AmiVault.Benchmarks.Micro;

/// <summary>SHA-256 of a block: once per block stored, checked and restored. One-shot versus hashing while streaming.</summary>
public class BlockHashBenchmark
{
    private readonly byte[] _hash = new byte[32];
    private byte[] _block = [];

    [Params(65536, 524288)]
    public int Size { get; set; }

    [GlobalSetup]
    public void SetUp() => _block = MicroInputs.Block("mixed")[..Size];

    [Benchmark(Baseline = true)]
    public int OneShot() => SHA256.HashData(_block, _hash);

    [Benchmark]
    public int IncrementalIn16KiBPieces()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (var offset = 0; offset < _block.Length; offset += 16384)
        {
            hash.AppendData(_block, offset, Math.Min(16384, _block.Length - offset));
        }

        return hash.GetHashAndReset(_hash);
    }
}
