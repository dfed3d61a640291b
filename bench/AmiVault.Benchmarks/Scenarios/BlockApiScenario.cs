using System.Diagnostics;
using AmiVault.Benchmarks.Suite;
using AmiVault.Client;
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
    private ImageFile? _image;
    private long[] _blocks = [];
    private AmiVaultServerProcess? _server;
    private EbsClient? _ebs;
    private string? _snapshotId;

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
        new Contender("put-block", $"StartSnapshot, PutSnapshotBlock by {Clients} concurrent clients, CompleteSnapshot (fresh server)", Role.Ours, PutBlocksAsync),
        new Contender("get-block", $"ListSnapshotBlocks, GetSnapshotBlock by {Clients} concurrent clients", Role.Ours, GetBlocksAsync),
    ];

    public override IReadOnlyList<Figure> Figures =>
    [
        new($"PutSnapshotBlock, {Clients} clients", Metric.Throughput, "put-block", "raw-write", Goal.Either(Goal.AtLeast(500, "MB/s"), Goal.RatioAtLeast(0.8))),
        new($"PutSnapshotBlock vs a durable file per block", Metric.Throughput, "put-block", "raw-block-files", null),
        new($"GetSnapshotBlock, {Clients} clients", Metric.Throughput, "get-block", "raw-read", Goal.RatioAtLeast(0.5)),
    ];

    public override async Task SetUpAsync(CancellationToken cancellationToken)
    {
        _image = await Context.ImageAsync(Context.ImageSize, cancellationToken);
        _blocks = [.. AmiVaultImages.DataBlocks(_image).Select(b => (long)b * BlockSize)];
        System.Console.WriteLine($"  {_blocks.Length} non-zero blocks ({ByteSize.Format(Bytes)}) of {_image.Image.Size / BlockSize}");
    }

    public override async ValueTask DisposeAsync()
    {
        File.Delete(RawFile);
        await StopServerAsync();
        await base.DisposeAsync();
    }

    /// <summary>A fresh server each time: blocks are stored by content, so a second upload of the same data would write nothing.</summary>
    private async Task<Sample> PutBlocksAsync(CancellationToken cancellationToken)
    {
        await StopServerAsync();
        _server = await AmiVaultServerProcess.StartAsync(Context.Scratch("ebs-server"), cancellationToken);
        _ebs = _server.Ebs();
        _server.ResetPeakMemory();
        var stopwatch = Stopwatch.StartNew();
        _snapshotId = await AmiVaultImages.UploadSnapshotAsync(_ebs, _image!, [.. _blocks.Select(o => (int)(o / BlockSize))], Clients, cancellationToken);
        return new Sample(stopwatch.Elapsed.TotalSeconds, Bytes, PeakMemoryBytes: _server.PeakMemoryBytes);
    }

    private async Task<Sample> GetBlocksAsync(CancellationToken cancellationToken)
    {
        var server = _server ?? throw new InvalidOperationException("get-block runs after put-block.");
        using (var ec2 = server.Ec2())
        {
            await AmiVaultImages.WaitForSnapshotAsync(ec2, _snapshotId!, cancellationToken);
        }

        server.ResetPeakMemory();
        var stopwatch = Stopwatch.StartNew();
        var listed = new List<ListedBlock>();
        await foreach (var block in _ebs!.ListSnapshotBlocksAsync(_snapshotId!, cancellationToken: cancellationToken))
        {
            listed.Add(block);
        }

        var options = new ParallelOptions { MaxDegreeOfParallelism = Clients, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(listed, options, async (block, ct) =>
        {
            var buffer = new byte[BlockSize];
            await _ebs.GetSnapshotBlockAsync(_snapshotId!, block.BlockIndex, block.BlockToken, buffer, ct);
        });
        var sample = new Sample(stopwatch.Elapsed.TotalSeconds, (long)listed.Count * BlockSize, PeakMemoryBytes: server.PeakMemoryBytes);
        await StopServerAsync();
        return listed.Count == _blocks.Length ? sample : throw new InvalidOperationException($"The snapshot lists {listed.Count} blocks, {_blocks.Length} were put.");
    }

    private async Task StopServerAsync()
    {
        _ebs?.Dispose();
        _ebs = null;
        if (_server is not null)
        {
            await _server.DisposeAsync();
            _server = null;
            Directory.Delete(Context.Scratch("ebs-server"), recursive: true);
        }
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
