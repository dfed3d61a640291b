using AmiVault.Benchmarks.Suite;
using Microsoft.Win32.SafeHandles;

namespace AmiVault.Benchmarks.Scenarios;

/// <summary>
/// EBS direct API block traffic against the disk it lands on: 16 clients putting (then getting) the image's non-zero
/// 512 KiB blocks, as coldsnap-like tools send them, against writing the same bytes durably to one file and reading
/// them back (the disk's own speed), and against 16 threads writing each block as its own durable file (the cost of
/// temp + fsync + rename per block that a crash-safe block store pays).
/// </summary>
internal sealed class BlockApiScenario(SuiteContext context) : Scenario(context)
{
    public const int BlockSize = 524288;
    public const int Clients = 16;
    private const string NotYet = "needs the EBS direct API (StartSnapshot, PutSnapshotBlock, GetSnapshotBlock)";

    private ImageFile? _image;
    private long[] _blocks = [];

    public override string Id => "ebs-blocks";

    public override string Title => "EBS direct API blocks vs raw disk";

    public override string Issue => "EBS direct APIs";

    private string RawFile => Context.Scratch("raw-blocks.bin");

    private string BlockFolder => Context.Scratch("raw-block-files");

    private long Bytes => (long)_blocks.Length * BlockSize;

    public override IReadOnlyList<Contender> Contenders =>
    [
        new Contender("raw-write", "raw write of the blocks to one file, then fdatasync", Role.Peer, WriteOneFileAsync) { InProcess = true },
        new Contender("raw-read", "raw read of that file", Role.Peer, ReadOneFileAsync) { InProcess = true },
        new Contender("raw-block-files", $"raw write, {Clients} threads, one file per block (temp, fsync, rename)", Role.Peer, WriteBlockFilesAsync) { InProcess = true },
        new Contender("put-block", $"PutSnapshotBlock, {Clients} concurrent clients", Role.Ours, NotYet),
        new Contender("get-block", $"GetSnapshotBlock, {Clients} concurrent clients", Role.Ours, NotYet),
    ];

    public override IReadOnlyList<Figure> Figures =>
    [
        new($"PutSnapshotBlock, {Clients} clients", Metric.Throughput, "put-block", "raw-write", Goal.Either(Goal.AtLeast(500, "MB/s"), Goal.RatioAtLeast(0.8))),
        new($"PutSnapshotBlock vs a durable file per block", Metric.Throughput, "put-block", "raw-block-files", null),
        new($"GetSnapshotBlock, {Clients} clients", Metric.Throughput, "get-block", "raw-read", null),
    ];

    public override async Task SetUpAsync(CancellationToken cancellationToken)
    {
        _image = await Context.ImageAsync(Context.ImageSize, cancellationToken);
        _blocks = Enumerable.Range(0, (int)(_image.Image.Size / BlockSize))
            .Select(b => (long)b * BlockSize)
            .Where(offset => !_image.Image.IsZero(offset, BlockSize))
            .ToArray();
        Console.WriteLine($"  {_blocks.Length} non-zero blocks ({ByteSize.Format(Bytes)}) of {_image.Image.Size / BlockSize}");
    }

    public override ValueTask DisposeAsync()
    {
        File.Delete(RawFile);
        return base.DisposeAsync();
    }

    private async Task<Sample> WriteOneFileAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[BlockSize];
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        using (var source = File.OpenHandle(_image!.Path))
        await using (var target = new FileStream(RawFile, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            foreach (var offset in _blocks)
            {
                await RandomAccess.ReadAsync(source, buffer, offset, cancellationToken);
                await target.WriteAsync(buffer, cancellationToken);
            }

            target.Flush(flushToDisk: true);
        }

        return new Sample(stopwatch.Elapsed.TotalSeconds, Bytes);
    }

    private async Task<Sample> ReadOneFileAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[BlockSize];
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        long total = 0;
        await using (var source = new FileStream(RawFile, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0))
        {
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
            {
                total += read;
            }
        }

        return total == Bytes ? new Sample(stopwatch.Elapsed.TotalSeconds, Bytes)
            : throw new InvalidOperationException($"Read {total} bytes, wrote {Bytes}.");
    }

    private async Task<Sample> WriteBlockFilesAsync(CancellationToken cancellationToken)
    {
        if (Directory.Exists(BlockFolder))
        {
            Directory.Delete(BlockFolder, recursive: true);
        }

        Directory.CreateDirectory(BlockFolder);
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        using (var source = File.OpenHandle(_image!.Path))
        {
            var options = new ParallelOptions { MaxDegreeOfParallelism = Clients, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(_blocks, options, async (offset, ct) =>
            {
                var buffer = new byte[BlockSize];
                await RandomAccess.ReadAsync(source, buffer, offset, ct);
                var path = Path.Combine(BlockFolder, offset.ToString(System.Globalization.CultureInfo.InvariantCulture));
                await WriteDurablyAsync(path + ".tmp", buffer, ct);
                File.Move(path + ".tmp", path);
            });
        }

        var seconds = stopwatch.Elapsed.TotalSeconds;
        Directory.Delete(BlockFolder, recursive: true);
        return new Sample(seconds, Bytes);
    }

    private static async Task WriteDurablyAsync(string path, byte[] data, CancellationToken cancellationToken)
    {
        using SafeFileHandle handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write);
        await RandomAccess.WriteAsync(handle, data, 0, cancellationToken);
        RandomAccess.FlushToDisk(handle);
    }
}
