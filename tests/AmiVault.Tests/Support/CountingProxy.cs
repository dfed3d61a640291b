using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AmiVault.Tests.Support;

/// <summary>
/// An HTTP proxy in front of a test server that records every request and can hold some back, so a test can count
/// what a client sent and cut a transfer off at a known point. The Host header passes through unchanged, so SigV4
/// signatures made for the proxy's address still verify at the server (<see cref="HttpForwarding"/>).
/// </summary>
internal sealed class CountingProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _client;
    private readonly Uri _target;
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _held;

    private CountingProxy(WebApplication app, HttpClient client, Uri target, Uri endpoint)
    {
        _app = app;
        _client = client;
        _target = target;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    public string EndpointUrl => Endpoint.ToString().TrimEnd('/');

    /// <summary>Every request forwarded so far: method, then path and query.</summary>
    public ConcurrentQueue<(string Method, string PathAndQuery)> Requests { get; } = new();

    /// <summary>Decides, before forwarding, whether to hold a request until its client gives up or <see cref="ReleaseHeld"/> (returns true to hold).</summary>
    public Func<HttpRequest, bool> Hold { get; set; } = _ => false;

    public int Held => _held;

    public static async Task<CountingProxy> StartAsync(Uri target)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = null;
            k.Listen(IPAddress.Loopback, 0);
        });
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false, AutomaticDecompression = DecompressionMethods.None })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        CountingProxy? proxy = null;
        app.Run(context => proxy!.ForwardAsync(context));
        await app.StartAsync();
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        proxy = new CountingProxy(app, client, target, new Uri(bound));
        return proxy;
    }

    /// <summary>Lets the requests held so far and any held later go on to the server.</summary>
    public void ReleaseHeld() => _release.TrySetResult();

    public int Count(Func<string, string, bool> match) => Requests.Count(r => match(r.Method, r.PathAndQuery));

    public static bool IsUploadPart(string method, string pathAndQuery) =>
        method == "PUT" && pathAndQuery.Contains("partNumber=", StringComparison.Ordinal) && pathAndQuery.Contains("uploadId=", StringComparison.Ordinal);

    private async Task ForwardAsync(HttpContext context)
    {
        var request = context.Request;
        if (Hold(request))
        {
            Interlocked.Increment(ref _held);
            try
            {
                await _release.Task.WaitAsync(context.RequestAborted);
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

        Requests.Enqueue((request.Method, request.Path + request.QueryString));
        using var forward = HttpForwarding.Request(request, _target, request.Body);
        using var response = await _client.SendAsync(forward, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        HttpForwarding.CopyStatusAndHeaders(response, context.Response);
        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _client.Dispose();
    }
}
