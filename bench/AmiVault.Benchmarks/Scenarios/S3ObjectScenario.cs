using System.Diagnostics;
using System.Net;
using AmiVault.Benchmarks.Peers;
using AmiVault.Benchmarks.Suite;
using Amazon.S3;
using Amazon.S3.Model;

namespace AmiVault.Benchmarks.Scenarios;

/// <summary>
/// S3 PutObject/GetObject of a 1 GiB object over loopback, one stream and 8 parallel parts/ranges, against raw
/// Kestrel moving the same bytes from and to memory.
/// </summary>
internal sealed class S3ObjectScenario(SuiteContext context) : Scenario(context)
{
    public const int Parts = 8;
    private const string Bucket = "bench";
    private const string Key = "object.bin";

    private RawKestrelServer? _server;
    private AmiVaultServerProcess? _amivault;
    private AmazonS3Client? _s3;
    private HttpClient? _client;
    private byte[] _object = [];

    public override string Id => "s3-objects";

    public override string Title => "S3 objects vs raw Kestrel";

    public override string Issue => "S3 endpoint";

    private long ObjectSize => Math.Min(1L << 30, Context.ImageSize);

    public override IReadOnlyList<Contender> Contenders =>
    [
        new("kestrel-put-1", "raw Kestrel PUT sink, 1 stream", Role.Peer, ct => PutAsync(1, ct)) { InProcess = true },
        new("kestrel-put-8", $"raw Kestrel PUT sink, {Parts} parallel parts", Role.Peer, ct => PutAsync(Parts, ct)) { InProcess = true },
        new("kestrel-get-1", "raw Kestrel GET source, 1 stream", Role.Peer, ct => GetAsync(1, ct)) { InProcess = true },
        new("kestrel-get-8", $"raw Kestrel GET source, {Parts} parallel ranges", Role.Peer, ct => GetAsync(Parts, ct)) { InProcess = true },
        new("s3-put-1", "AWSSDK.S3 PutObject to amivault, 1 stream", Role.Ours, PutObjectAsync),
        new("s3-put-8", $"AWSSDK.S3 multipart upload to amivault, {Parts} parts in parallel", Role.Ours, PutPartsAsync),
        new("s3-get-1", "AWSSDK.S3 GetObject from amivault, 1 stream", Role.Ours, ct => GetObjectAsync(1, ct)),
        new("s3-get-8", $"AWSSDK.S3 GetObject from amivault, {Parts} ranges in parallel", Role.Ours, ct => GetObjectAsync(Parts, ct)),
    ];

    public override IReadOnlyList<Figure> Figures =>
    [
        new($"PutObject {ByteSize.Format(ObjectSize)}, 1 stream", Metric.Throughput, "s3-put-1", "kestrel-put-1", Goal.RatioAtLeast(0.7)),
        new($"PutObject {ByteSize.Format(ObjectSize)}, {Parts} parts", Metric.Throughput, "s3-put-8", "kestrel-put-8", Goal.RatioAtLeast(0.7)),
        new($"GetObject {ByteSize.Format(ObjectSize)}, 1 stream", Metric.Throughput, "s3-get-1", "kestrel-get-1", Goal.RatioAtLeast(0.7)),
        new($"GetObject {ByteSize.Format(ObjectSize)}, {Parts} ranges", Metric.Throughput, "s3-get-8", "kestrel-get-8", Goal.RatioAtLeast(0.7)),
    ];

    public override async Task SetUpAsync(CancellationToken cancellationToken)
    {
        // The object is the start of the image, held in memory so that only HTTP is measured.
        var image = await Context.ImageAsync(Context.ImageSize, cancellationToken);
        _object = new byte[ObjectSize];
        await using (var file = File.OpenRead(image.Path))
        {
            await file.ReadExactlyAsync(_object, cancellationToken);
        }

        _server = await RawKestrelServer.StartAsync(_object, cancellationToken);
        _amivault = await AmiVaultServerProcess.StartAsync(Context.Scratch("s3-server"), cancellationToken);
        _s3 = _amivault.S3();
        await _s3.PutBucketAsync(Bucket, cancellationToken);
        _client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 2 * Parts, UseProxy = false, AutomaticDecompression = DecompressionMethods.None })
        {
            Timeout = TimeSpan.FromMinutes(10),
        };
    }

    public override async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        _s3?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_amivault is not null)
        {
            await _amivault.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    private async Task<Sample> PutAsync(int parts, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Ranges(parts).Select(async range =>
        {
            using var content = new ReadOnlyMemoryContent(_object.AsMemory(range.Start, range.Length));
            using var response = await _client!.PutAsync(new Uri(_server!.Endpoint, $"sink/part{range.Start}"), content, cancellationToken);
            response.EnsureSuccessStatusCode();
        }));
        return new Sample(stopwatch.Elapsed.TotalSeconds, _object.Length);
    }

    private async Task<Sample> GetAsync(int parts, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var received = await Task.WhenAll(Ranges(parts).Select(async range =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_server!.Endpoint, "source"));
            if (parts > 1)
            {
                request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(range.Start, range.Start + range.Length - 1);
            }

            using var response = await _client!.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            return await DrainAsync(body, cancellationToken);
        }));
        var bytes = received.Sum();
        return bytes == _object.Length ? new Sample(stopwatch.Elapsed.TotalSeconds, bytes)
            : throw new InvalidOperationException($"Received {bytes} bytes of {_object.Length}.");
    }

    private async Task<Sample> PutObjectAsync(CancellationToken cancellationToken)
    {
        _amivault!.ResetPeakMemory();
        var stopwatch = Stopwatch.StartNew();
        using var body = new MemoryStream(_object, writable: false);
        await _s3!.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = Key, InputStream = body, AutoCloseStream = false }, cancellationToken);
        return new Sample(stopwatch.Elapsed.TotalSeconds, _object.Length, PeakMemoryBytes: _amivault.PeakMemoryBytes);
    }

    private async Task<Sample> PutPartsAsync(CancellationToken cancellationToken)
    {
        _amivault!.ResetPeakMemory();
        var stopwatch = Stopwatch.StartNew();
        var upload = await _s3!.InitiateMultipartUploadAsync(Bucket, Key, cancellationToken);
        var parts = await Task.WhenAll(Ranges(Parts).Select(async (range, index) =>
        {
            using var body = new MemoryStream(_object, range.Start, range.Length, writable: false);
            var part = await _s3.UploadPartAsync(new UploadPartRequest
            {
                BucketName = Bucket,
                Key = Key,
                UploadId = upload.UploadId,
                PartNumber = index + 1,
                InputStream = body,
                PartSize = range.Length,
            }, cancellationToken);
            return new PartETag(index + 1, part.ETag);
        }));
        await _s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = Bucket, Key = Key, UploadId = upload.UploadId, PartETags = [.. parts] }, cancellationToken);
        return new Sample(stopwatch.Elapsed.TotalSeconds, _object.Length, PeakMemoryBytes: _amivault.PeakMemoryBytes);
    }

    private async Task<Sample> GetObjectAsync(int parts, CancellationToken cancellationToken)
    {
        _amivault!.ResetPeakMemory();
        var stopwatch = Stopwatch.StartNew();
        var received = await Task.WhenAll(Ranges(parts).Select(async range =>
        {
            var request = new GetObjectRequest { BucketName = Bucket, Key = Key };
            if (parts > 1)
            {
                request.ByteRange = new ByteRange(range.Start, range.Start + range.Length - 1);
            }

            using var response = await _s3!.GetObjectAsync(request, cancellationToken);
            return await DrainAsync(response.ResponseStream, cancellationToken);
        }));
        var bytes = received.Sum();
        return bytes == _object.Length ? new Sample(stopwatch.Elapsed.TotalSeconds, bytes, PeakMemoryBytes: _amivault.PeakMemoryBytes)
            : throw new InvalidOperationException($"Received {bytes} bytes of {_object.Length}.");
    }

    private static async Task<long> DrainAsync(Stream body, CancellationToken cancellationToken)
    {
        var buffer = new byte[256 * 1024];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
        }

        return total;
    }

    /// <summary>The object cut in <paramref name="parts"/>, fewer when it is too small for S3's 5 MiB minimum part (smoke runs).</summary>
    private IEnumerable<(int Start, int Length)> Ranges(int parts)
    {
        parts = Math.Clamp(_object.Length / (5 << 20), 1, parts);
        var part = (_object.Length + parts - 1) / parts;
        for (var start = 0; start < _object.Length; start += part)
        {
            yield return (start, Math.Min(part, _object.Length - start));
        }
    }
}
