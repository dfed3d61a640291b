using System.Diagnostics;
using System.Net;
using AmiVault.Benchmarks.Peers;
using AmiVault.Benchmarks.Suite;

namespace AmiVault.Benchmarks.Scenarios;

/// <summary>
/// S3 PutObject/GetObject of a 1 GiB object over loopback, one stream and 8 parallel parts/ranges, against raw
/// Kestrel moving the same bytes from and to memory.
/// </summary>
internal sealed class S3ObjectScenario(SuiteContext context) : Scenario(context)
{
    public const int Parts = 8;
    private const string NotYet = "needs the S3 endpoint (PutObject, multipart upload, GetObject with Range)";

    private RawKestrelServer? _server;
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
        new("s3-put-1", "S3 PutObject, 1 stream", Role.Ours, NotYet),
        new("s3-put-8", $"S3 multipart upload, {Parts} parts in parallel", Role.Ours, NotYet),
        new("s3-get-1", "S3 GetObject, 1 stream", Role.Ours, NotYet),
        new("s3-get-8", $"S3 GetObject, {Parts} ranges in parallel", Role.Ours, NotYet),
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
        _client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 2 * Parts, UseProxy = false, AutomaticDecompression = DecompressionMethods.None })
        {
            Timeout = TimeSpan.FromMinutes(10),
        };
    }

    public override async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
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
            var buffer = new byte[256 * 1024];
            long total = 0;
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                total += read;
            }

            return total;
        }));
        var bytes = received.Sum();
        return bytes == _object.Length ? new Sample(stopwatch.Elapsed.TotalSeconds, bytes)
            : throw new InvalidOperationException($"Received {bytes} bytes of {_object.Length}.");
    }

    private IEnumerable<(int Start, int Length)> Ranges(int parts)
    {
        var part = (_object.Length + parts - 1) / parts;
        for (var start = 0; start < _object.Length; start += part)
        {
            yield return (start, Math.Min(part, _object.Length - start));
        }
    }
}
