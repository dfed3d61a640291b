using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using AmiVault.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AmiVault.Tests.Faults;

/// <summary>
/// An HTTP proxy in front of a real S3 or EBS endpoint (an AmiVault server, Ceph RGW) that does to chosen requests
/// what networks and overloaded services do: 500 and 503 SlowDown answers, connections reset in the middle of a body,
/// answers lost after the server did the work, stalls longer than a client waits, short answers, flipped bits, a
/// bandwidth cap, and a port that refuses connections for a while. Everything else passes through unchanged, Host header included, so SigV4 signatures
/// made for the proxy's address verify at the server behind it.
/// </summary>
internal sealed class FaultProxy : IAsyncDisposable
{
    private const int ChunkSize = 64 * 1024;
    private const int MaxFormBody = 1 << 20;

    private readonly HttpClient _client;
    private readonly Uri _target;
    private readonly int _port;
    private readonly List<FaultInjection> _pending = [];
    private readonly ConcurrentDictionary<FaultKind, int> _injected = new();
    private readonly Lock _paceLock = new();
    private readonly SemaphoreSlim _listening = new(1, 1);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _held;
    private WebApplication? _app;
    private long _nextFreeTimestamp;
    private bool _disposed;

    private FaultProxy(HttpClient client, Uri target, int port)
    {
        _client = client;
        _target = target;
        _port = port;
    }

    public Uri Endpoint => new($"http://127.0.0.1:{_port}/");

    public string EndpointUrl => $"http://127.0.0.1:{_port}";

    /// <summary>Every request that reached the proxy, with the fault done to it (one held until its client gave up is not counted).</summary>
    public ConcurrentQueue<ProxiedRequest> Requests { get; } = new();

    /// <summary>
    /// Decides, before anything else, whether to hold a request until <see cref="ReleaseHeld"/> (then it goes on) or
    /// until its client gives up: a transfer cut off at a known point.
    /// </summary>
    public Func<HttpRequest, bool> Hold { get; set; } = _ => false;

    /// <summary>Requests held right now.</summary>
    public int Held => _held;

    /// <summary>Lets the requests held so far and any held later go on to the server.</summary>
    public void ReleaseHeld() => _release.TrySetResult();

    /// <summary>How many requests the server behind got that <paramref name="match"/> (method, path and query) picks.</summary>
    public int CountReached(Func<string, string, bool> match) => Requests.Count(r => r.ReachedServer && match(r.Method, r.PathAndQuery));

    public static bool IsUploadPart(string method, string pathAndQuery) =>
        method == "PUT" && pathAndQuery.Contains("partNumber=", StringComparison.Ordinal) && pathAndQuery.Contains("uploadId=", StringComparison.Ordinal);

    /// <summary>What a <see cref="FaultKind.Answer"/> answers: status, error code (S3's, or EBS's error type) and message.</summary>
    public (int Status, string Code, string Message) Answer { get; set; } = (400, "InvalidRequest", "Refused by the test proxy.");

    /// <summary>The Retry-After a <see cref="FaultKind.SlowDown"/> answer carries; null for none.</summary>
    public TimeSpan? RetryAfter { get; set; }

    /// <summary>Every bit flipped so far.</summary>
    public ConcurrentQueue<BitFlip> Flips { get; } = new();

    /// <summary>The most bytes a second through the proxy, both directions together; null for no cap.</summary>
    public long? BytesPerSecond { get; set; }

    /// <summary>How long a <see cref="FaultKind.Stall"/> keeps silent before it drops the connection (if the client has not given up first).</summary>
    public TimeSpan StallTime { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How many times each fault was done.</summary>
    public int Injected(FaultKind kind) => _injected.GetValueOrDefault(kind);

    public int InjectedTotal => _injected.Values.Sum();

    public static async Task<FaultProxy> StartAsync(Uri target)
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false, AutomaticDecompression = DecompressionMethods.None })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

        // A free port of our own, so that the proxy can stop listening (refusing connections) and come back on it.
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var proxy = new FaultProxy(client, target, port);
        await proxy.ListenAsync();
        return proxy;
    }

    /// <summary>
    /// Does <paramref name="kind"/> to the next <paramref name="times"/> requests that <paramref name="where"/> matches
    /// (all requests when null). A fault that needs an answer body (bit flip, truncation) waits for a request that has one.
    /// </summary>
    public void Inject(FaultKind kind, int times = 1, Func<HttpRequest, bool>? where = null)
    {
        lock (_pending)
        {
            _pending.Add(new FaultInjection(kind, where ?? (_ => true), times));
        }
    }

    /// <summary>How many injections asked for have not happened yet.</summary>
    public int Pending
    {
        get
        {
            lock (_pending)
            {
                return _pending.Sum(p => p.Remaining);
            }
        }
    }

    /// <summary>Drops every fault not done yet and forgets what was done: the proxy passes everything through again.</summary>
    public void Reset()
    {
        lock (_pending)
        {
            _pending.Clear();
        }

        _injected.Clear();
        Flips.Clear();
        Requests.Clear();
        BytesPerSecond = null;
        RetryAfter = null;
    }

    /// <summary>
    /// Closes the port (open connections are cut, new ones refused) and opens it again after <paramref name="period"/>;
    /// returns once the port is closed. The reopening runs in the background.
    /// </summary>
    public async Task RefuseForAsync(TimeSpan period)
    {
        await StopListeningAsync();
        _ = Task.Run(async () =>
        {
            await Task.Delay(period);
            await ListenAsync();
        });
    }

    private async Task ListenAsync()
    {
        await _listening.WaitAsync();
        try
        {
            if (_app is not null || _disposed)
            {
                return;
            }

            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
            builder.Logging.ClearProviders();
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.Zero);
            builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
            {
                k.Limits.MaxRequestBodySize = null;
                k.Listen(IPAddress.Loopback, _port);
            });
            builder.Services.AddRoutingCore();
            var app = builder.Build();
            app.Run(ForwardAsync);
            await app.StartAsync();
            _app = app;
        }
        finally
        {
            _listening.Release();
        }
    }

    private async Task StopListeningAsync()
    {
        await _listening.WaitAsync();
        try
        {
            if (_app is { } app)
            {
                _app = null;
                using var now = new CancellationTokenSource();
                await now.CancelAsync();
                await app.StopAsync(now.Token);
                await app.DisposeAsync();
            }
        }
        finally
        {
            _listening.Release();
        }
    }

    private async Task ForwardAsync(HttpContext context)
    {
        var request = context.Request;
        var arrived = DateTimeOffset.UtcNow;
        var pathAndQuery = request.Path + request.QueryString;
        if (request.HasFormContentType && request.ContentLength <= MaxFormBody)
        {
            // A Query request (EC2, IAM) says what it is in its form: read it first, so a fault can pick an Action.
            request.EnableBuffering();
            await request.ReadFormAsync(context.RequestAborted);
            request.Body.Position = 0;
        }

        var aborted = context.RequestAborted;
        if (Hold(request))
        {
            Interlocked.Increment(ref _held);
            try
            {
                await _release.Task.WaitAsync(aborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            finally
            {
                Interlocked.Decrement(ref _held);
            }
        }

        var fault = Take(request, needsBody: false);
        try
        {
            switch (fault)
            {
                case FaultKind.ServerError or FaultKind.SlowDown or FaultKind.Answer:
                    Done(request, pathAndQuery, fault.Value, arrived);
                    await AnswerErrorAsync(context, fault.Value);
                    return;
                case FaultKind.ResetMidBody when request.ContentLength > 1:
                    // Half the body (at most a few chunks) arrives, then the connection is gone.
                    Done(request, pathAndQuery, fault.Value, arrived);
                    var half = new byte[Math.Min(request.ContentLength.Value / 2, 4 * ChunkSize)];
                    await request.Body.ReadAtLeastAsync(half, half.Length, throwOnEndOfStream: false, aborted);
                    Reset(context);
                    return;
                case FaultKind.Stall when request.Method is "PUT" or "POST":
                    // An upload's answer has no body to stall in: the silence comes before the answer.
                    Done(request, pathAndQuery, fault.Value, arrived);
                    await StallAsync(context);
                    return;
            }

            using var forward = HttpForwarding.Request(request, _target, new PacedReadStream(request.Body, PaceAsync));
            using var response = await _client.SendAsync(forward, HttpCompletionOption.ResponseHeadersRead, aborted);
            var length = response.Content.Headers.ContentLength;
            var hasBody = length > 1 && response.IsSuccessStatusCode && request.Method != "HEAD";
            if (fault is null && hasBody)
            {
                fault = Take(request, needsBody: true);
            }

            Requests.Enqueue(new ProxiedRequest(request.Method, pathAndQuery, fault, arrived, request.Headers.Authorization.ToString(), ReachedServer: true));
            if (fault is { } kind)
            {
                _injected.AddOrUpdate(kind, 1, (_, n) => n + 1);
            }

            if (fault is FaultKind.LoseAnswer)
            {
                await response.Content.CopyToAsync(Stream.Null, aborted);
                Reset(context);
                return;
            }

            HttpForwarding.CopyStatusAndHeaders(response, context.Response);
            var cut = fault is FaultKind.ResetMidBody or FaultKind.Stall or FaultKind.TruncatedBody ? (length ?? 2L * ChunkSize) / 2 : long.MaxValue;
            var flipAt = fault is FaultKind.BitFlip ? Random.Shared.NextInt64(length!.Value) : -1;
            if (fault is FaultKind.TruncatedBody)
            {
                context.Response.ContentLength = cut;
            }

            await using var body = await response.Content.ReadAsStreamAsync(aborted);
            await CopyAsync(body, context.Response, cut, flipAt, request, pathAndQuery, aborted);
            switch (fault)
            {
                case FaultKind.ResetMidBody:
                    Reset(context);
                    break;
                case FaultKind.Stall:
                    await StallAsync(context);
                    break;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException && aborted.IsCancellationRequested)
        {
            // The client gave up (its timeout, or it was told to): nothing left to answer.
        }
    }

    private async Task CopyAsync(Stream body, HttpResponse to, long cut, long flipAt, HttpRequest request, string pathAndQuery, CancellationToken aborted)
    {
        var buffer = new byte[ChunkSize];
        long sent = 0;
        await to.StartAsync(aborted);
        while (sent < cut)
        {
            var read = await body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, cut - sent)), aborted);
            if (read == 0)
            {
                break;
            }

            if (flipAt >= sent && flipAt < sent + read)
            {
                var bit = Random.Shared.Next(8);
                buffer[flipAt - sent] ^= (byte)(1 << bit);
                Flips.Enqueue(new BitFlip(request.Method, pathAndQuery, flipAt, bit));
            }

            await PaceAsync(read, aborted);
            await to.Body.WriteAsync(buffer.AsMemory(0, read), aborted);
            sent += read;
        }

        await to.Body.FlushAsync(aborted);
    }

    private async Task StallAsync(HttpContext context)
    {
        try
        {
            await Task.Delay(StallTime, context.RequestAborted);
        }
        finally
        {
            Reset(context);
        }
    }

    /// <summary>A TCP reset (linger 0) rather than an orderly close: the client learns nothing more of this connection.</summary>
    private static void Reset(HttpContext context)
    {
        if (context.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket)
        {
            socket.LingerState = new LingerOption(true, 0);
        }

        context.Abort();
    }

    /// <summary>
    /// The error in the protocol's own format, told by the service the request is signed for: EBS and SSM (JSON), EC2
    /// (its Query XML), else S3 (XML).
    /// </summary>
    private async Task AnswerErrorAsync(HttpContext context, FaultKind fault)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        var service = new[] { "ebs", "ssm", "ec2" }.FirstOrDefault(s => authorization.Contains($"/{s}/aws4_request", StringComparison.Ordinal)) ?? "s3";
        var requestId = Guid.NewGuid().ToString("N");
        var (status, code, message) = (fault, service) switch
        {
            (FaultKind.Answer, _) => Answer,
            (FaultKind.SlowDown, "ebs" or "ssm") => (400, "ThrottlingException", "Rate exceeded (fault injected by the test proxy)."),
            (FaultKind.SlowDown, "ec2") => (503, "RequestLimitExceeded", "Request limit exceeded (fault injected by the test proxy)."),
            (FaultKind.SlowDown, _) => (503, "SlowDown", "Please reduce your request rate (fault injected by the test proxy)."),
            (_, "ebs") => (500, "InternalServerException", "Internal error (fault injected by the test proxy)."),
            (_, "ssm") => (500, "InternalServerError", "Internal error (fault injected by the test proxy)."),
            _ => (500, "InternalError", "We encountered an internal error. Please try again (fault injected by the test proxy)."),
        };
        context.Response.StatusCode = status;
        var escaped = System.Security.SecurityElement.Escape(message);
        string body;
        switch (service)
        {
            case "ebs":
                context.Response.ContentType = "application/json";
                context.Response.Headers["x-amzn-ErrorType"] = code;
                context.Response.Headers["x-amzn-RequestId"] = requestId;
                body = System.Text.Json.JsonSerializer.Serialize(new { message });
                break;
            case "ssm":
                context.Response.ContentType = "application/x-amz-json-1.1";
                context.Response.Headers["x-amzn-RequestId"] = requestId;
                body = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { ["__type"] = code, ["message"] = message });
                break;
            case "ec2":
                context.Response.ContentType = "text/xml;charset=UTF-8";
                body = $"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{code}</Code><Message>{escaped}</Message></Error></Errors><RequestID>{requestId}</RequestID></Response>";
                break;
            default:
                context.Response.ContentType = "application/xml";
                context.Response.Headers["x-amz-request-id"] = requestId;
                body = $"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{escaped}</Message><RequestId>{requestId}</RequestId></Error>";
                break;
        }

        if (fault == FaultKind.SlowDown && RetryAfter is { } after)
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(after.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        // The request's body is not read: close the connection after the answer instead of draining it.
        context.Response.Headers.Connection = "close";
        if (context.Request.Method != "HEAD")
        {
            await context.Response.WriteAsync(body, Encoding.UTF8, context.RequestAborted);
        }
    }

    /// <summary>Waits as long as the bandwidth cap asks before <paramref name="bytes"/> more may pass.</summary>
    private async Task PaceAsync(int bytes, CancellationToken cancellationToken)
    {
        if (BytesPerSecond is not { } rate || bytes == 0)
        {
            return;
        }

        long start;
        var now = Stopwatch.GetTimestamp();
        lock (_paceLock)
        {
            start = Math.Max(_nextFreeTimestamp, now);
            _nextFreeTimestamp = start + (long)(bytes * (double)Stopwatch.Frequency / rate);
        }

        if (start > now)
        {
            await Task.Delay(Stopwatch.GetElapsedTime(now, start), cancellationToken);
        }
    }

    private FaultKind? Take(HttpRequest request, bool needsBody)
    {
        lock (_pending)
        {
            var injection = _pending.FirstOrDefault(p => p.Remaining > 0 && NeedsBody(p.Kind) == needsBody && p.Where(request));
            if (injection is null)
            {
                return null;
            }

            injection.Remaining--;
            return injection.Kind;
        }
    }

    private void Done(HttpRequest request, string pathAndQuery, FaultKind kind, DateTimeOffset arrived)
    {
        Requests.Enqueue(new ProxiedRequest(request.Method, pathAndQuery, kind, arrived, request.Headers.Authorization.ToString(), ReachedServer: false));
        _injected.AddOrUpdate(kind, 1, (_, n) => n + 1);
    }

    private static bool NeedsBody(FaultKind kind) => kind is FaultKind.BitFlip or FaultKind.TruncatedBody;

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        await StopListeningAsync();
        _client.Dispose();
        _listening.Dispose();
    }
}
