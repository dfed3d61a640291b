using System.Diagnostics;
using AmiVault.Benchmarks.Suite;

namespace AmiVault.Benchmarks.Scenarios;

/// <summary>
/// The zstd library the archive uses, ZstdSharp.Port (pure C#), against the native libzstd (through ZstdNet) on the
/// image's own non-zero 512 KiB blocks, one block at a time on one thread, as the store engine calls it. Alternating
/// with the native library in the same run makes this the steady complement of the BenchmarkDotNet micro-benchmark
/// (ZstdBlockBenchmark) on a shared, busy machine.
/// </summary>
internal sealed class ZstdCodecScenario(SuiteContext context) : Scenario(context)
{
    private const int BlockSize = BlockApiScenario.BlockSize;
    private const long MaxData = 256L << 20;

    private readonly List<byte[]> _blocks = [];
    private readonly List<byte[]> _frames = [];

    public override string Id => "zstd-codec";

    public override string Title => "zstd per block: ZstdSharp.Port vs native libzstd";

    public override string Issue => "archive format (library choice)";

    public override IReadOnlyList<Contender> Contenders =>
    [
        new("native-compress-1", "native libzstd (ZstdNet), compress, level 1", Role.Peer, ct => CompressAsync(native: true, 1)),
        new("sharp-compress-1", "ZstdSharp.Port, compress, level 1", Role.Ours, ct => CompressAsync(native: false, 1)),
        new("native-compress-3", "native libzstd (ZstdNet), compress, level 3", Role.Peer, ct => CompressAsync(native: true, 3)),
        new("sharp-compress-3", "ZstdSharp.Port, compress, level 3", Role.Ours, ct => CompressAsync(native: false, 3)),
        new("native-decompress", "native libzstd (ZstdNet), decompress", Role.Peer, ct => DecompressAsync(native: true)),
        new("sharp-decompress", "ZstdSharp.Port, decompress", Role.Ours, ct => DecompressAsync(native: false)),
    ];

    public override IReadOnlyList<Figure> Figures =>
    [
        new("ZstdSharp vs native: compress 512 KiB blocks, level 1", Metric.Throughput, "sharp-compress-1", "native-compress-1", null),
        new("ZstdSharp vs native: compress 512 KiB blocks, level 3", Metric.Throughput, "sharp-compress-3", "native-compress-3", null),
        new("ZstdSharp vs native: decompress 512 KiB blocks", Metric.Throughput, "sharp-decompress", "native-decompress", null),
    ];

    public override async Task SetUpAsync(CancellationToken cancellationToken)
    {
        var image = await Context.ImageAsync(Context.ImageSize, cancellationToken);
        await using var file = File.OpenRead(image.Path);
        using var compressor = new ZstdNet.Compressor(new ZstdNet.CompressionOptions(3));
        for (long offset = 0; offset + BlockSize <= image.Image.Size && _blocks.Count * (long)BlockSize < MaxData; offset += BlockSize)
        {
            if (!image.Image.IsZero(offset, BlockSize))
            {
                var block = new byte[BlockSize];
                file.Position = offset;
                await file.ReadExactlyAsync(block, cancellationToken);
                _blocks.Add(block);
                _frames.Add(compressor.Wrap(block));
            }
        }
    }

    private Task<Sample> CompressAsync(bool native, int level)
    {
        var output = new byte[ZstdNet.Compressor.GetCompressBound(BlockSize)];
        long compressed = 0;
        using var sharp = new ZstdSharp.Compressor(level);
        using var nativeCompressor = new ZstdNet.Compressor(new ZstdNet.CompressionOptions(level));
        var stopwatch = Stopwatch.StartNew();
        foreach (var block in _blocks)
        {
            compressed += native ? nativeCompressor.Wrap(block, output) : sharp.Wrap(block, output);
        }

        return Task.FromResult(new Sample(stopwatch.Elapsed.TotalSeconds, (long)_blocks.Count * BlockSize, compressed));
    }

    private Task<Sample> DecompressAsync(bool native)
    {
        var output = new byte[BlockSize];
        using var sharp = new ZstdSharp.Decompressor();
        using var nativeDecompressor = new ZstdNet.Decompressor();
        var stopwatch = Stopwatch.StartNew();
        foreach (var frame in _frames)
        {
            var length = native ? nativeDecompressor.Unwrap(frame, output, bufferSizePrecheck: false) : sharp.Unwrap(frame, output);
            if (length != BlockSize)
            {
                throw new InvalidDataException($"A frame decompressed to {length} bytes, not {BlockSize}.");
            }
        }

        return Task.FromResult(new Sample(stopwatch.Elapsed.TotalSeconds, (long)_blocks.Count * BlockSize));
    }
}
