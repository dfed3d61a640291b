using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AmiVault.Benchmarks.Peers;

/// <summary>
/// Kestrel doing nothing but moving bytes, configured as the AmiVault server configures it: PUT drains the body,
/// GET (whole or a Range) serves an object from memory. What an S3 endpoint on Kestrel could reach at best.
/// </summary>
internal sealed class RawKestrelServer : IAsyncDisposable
{
    private const int PieceSize = 256 * 1024;
    private readonly WebApplication _app;
    private readonly byte[] _object;

    private RawKestrelServer(WebApplication app, byte[] obj, Uri endpoint)
    {
        _app = app;
        _object = obj;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    public static async Task<RawKestrelServer> StartAsync(byte[] obj, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = null;
            k.Limits.MinRequestBodyDataRate = null;
            k.Listen(IPAddress.Loopback, 0);
        });
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        RawKestrelServer? server = null;
        app.Run(context => server!.HandleAsync(context));
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new RawKestrelServer(app, obj, new Uri(address));
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (HttpMethods.IsPut(request.Method))
        {
            var buffer = new byte[PieceSize];
            long total = 0;
            int read;
            while ((read = await request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                total += read;
            }

            context.Response.Headers.ETag = $"\"{total}\"";
            return;
        }

        var (start, length) = (0L, (long)_object.Length);
        if (request.Headers.Range.ToString() is { Length: > 0 } range && range.StartsWith("bytes=", StringComparison.Ordinal))
        {
            var parts = range["bytes=".Length..].Split('-');
            start = long.Parse(parts[0], CultureInfo.InvariantCulture);
            length = long.Parse(parts[1], CultureInfo.InvariantCulture) - start + 1;
            context.Response.StatusCode = StatusCodes.Status206PartialContent;
            context.Response.Headers.ContentRange = $"bytes {start}-{start + length - 1}/{_object.Length}";
        }

        context.Response.ContentLength = length;
        // Piece by piece, as a server streaming from disk does: one huge write would be buffered whole by Kestrel.
        for (var offset = start; offset < start + length; offset += PieceSize)
        {
            var piece = (int)Math.Min(PieceSize, start + length - offset);
            await context.Response.Body.WriteAsync(_object.AsMemory((int)offset, piece), context.RequestAborted);
        }
    }
}
