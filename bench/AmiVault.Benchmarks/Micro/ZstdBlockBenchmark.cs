using BenchmarkDotNet.Attributes;

namespace AmiVault.Benchmarks.Micro;

/// <summary>
/// zstd on one 512 KiB block, as the archive compresses each: ZstdSharp.Port (pure C#) against ZstdNet (a binding to
/// the native libzstd 1.5.7 it ships), each with a reused context, at levels 1 and 3.
/// </summary>
public class ZstdBlockBenchmark
{
    private byte[] _block = [];
    private byte[] _compressed = [];
    private byte[] _output = [];
    private int _compressedLength;
    private ZstdSharp.Compressor? _sharpCompressor;
    private ZstdSharp.Decompressor? _sharpDecompressor;
    private ZstdNet.Compressor? _nativeCompressor;
    private ZstdNet.Decompressor? _nativeDecompressor;

    [Params(1, 3)]
    public int Level { get; set; }

    [Params("mixed", "text", "binary")]
    public string Content { get; set; } = "mixed";

    [GlobalSetup]
    public void SetUp()
    {
        _block = MicroInputs.Block(Content);
        _sharpCompressor = new ZstdSharp.Compressor(Level);
        _sharpDecompressor = new ZstdSharp.Decompressor();
        _nativeCompressor = new ZstdNet.Compressor(new ZstdNet.CompressionOptions(Level));
        _nativeDecompressor = new ZstdNet.Decompressor();
        _output = new byte[ZstdNet.Compressor.GetCompressBound(_block.Length)];
        _compressed = new byte[_output.Length];

        // Each must read the other's frames: the format, not the library, is the contract.
        var sharpLength = _sharpCompressor.Wrap(_block, _compressed);
        var nativeLength = _nativeCompressor.Wrap(_block, _output);
        var check = new byte[_block.Length];
        if (_nativeDecompressor.Unwrap(_compressed.AsSpan(0, sharpLength), check, bufferSizePrecheck: false) != _block.Length || !check.SequenceEqual(_block)
            || _sharpDecompressor.Unwrap(_output.AsSpan(0, nativeLength), check) != _block.Length || !check.SequenceEqual(_block))
        {
            throw new InvalidOperationException("ZstdSharp and native zstd do not read each other's frames.");
        }

        _compressedLength = sharpLength;
        System.Console.WriteLine($"// {Content} level {Level}: ZstdSharp {sharpLength} bytes, native {nativeLength} bytes ({(double)_block.Length / sharpLength:0.00}x / {(double)_block.Length / nativeLength:0.00}x)");
    }

    [GlobalCleanup]
    public void CleanUp()
    {
        _sharpCompressor?.Dispose();
        _sharpDecompressor?.Dispose();
        _nativeCompressor?.Dispose();
        _nativeDecompressor?.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int CompressNative() => _nativeCompressor!.Wrap(_block, _output);

    [Benchmark]
    public int CompressZstdSharp() => _sharpCompressor!.Wrap(_block, _output);

    [Benchmark]
    public int DecompressNative() => _nativeDecompressor!.Unwrap(_compressed.AsSpan(0, _compressedLength), _output, bufferSizePrecheck: false);

    [Benchmark]
    public int DecompressZstdSharp() => _sharpDecompressor!.Unwrap(_compressed.AsSpan(0, _compressedLength), _output);
}
