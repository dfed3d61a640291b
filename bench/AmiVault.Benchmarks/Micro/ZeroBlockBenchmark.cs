using System.Numerics;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;

namespace AmiVault.Benchmarks.Micro;

/// <summary>
/// Is this 512 KiB block all zeros? Asked of every block stored (zero blocks are skipped). Most blocks either are
/// zero (checked to the end) or have data early (answered at once); "last-byte" is the worst case of the latter.
/// </summary>
public class ZeroBlockBenchmark
{
    private byte[] _block = [];
    private byte[] _zeros = [];

    [Params("zeros", "last-byte", "text")]
    public string Content { get; set; } = "zeros";

    [GlobalSetup]
    public void SetUp()
    {
        _zeros = new byte[MicroInputs.BlockSize];
        _block = Content == "text" ? MicroInputs.Block("text") : new byte[MicroInputs.BlockSize];
        if (Content == "last-byte")
        {
            _block[^1] = 1;
        }
    }

    [Benchmark(Baseline = true)]
    public bool ContainsAnyExcept() => !_block.AsSpan().ContainsAnyExcept((byte)0);

    [Benchmark]
    public bool SequenceEqualToZeros() => _block.AsSpan().SequenceEqual(_zeros);

    [Benchmark]
    public bool OrOfVectors()
    {
        var vectors = MemoryMarshal.Cast<byte, Vector<byte>>(_block);
        var accumulated = Vector<byte>.Zero;
        foreach (var vector in vectors)
        {
            accumulated |= vector;
        }

        return accumulated == Vector<byte>.Zero;
    }
}
