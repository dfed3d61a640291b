using System.Net;
using System.Net.Sockets;
using AmiVault.Accounts;
using AmiVault.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AmiVault.Hosting;

/// <summary>A running AmiVault server: Kestrel on one port serving EC2, EBS and S3. Used by `serve`, tests and the demo.</summary>
internal sealed class AmiVaultServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly DataDirectoryLock _folderLock;

    private AmiVaultServer(WebApplication app, DataDirectoryLock folderLock, Uri endpoint, AccountDirectory accounts, bool generatedAccount)
    {
        _app = app;
        _folderLock = folderLock;
        Endpoint = endpoint;
        Accounts = accounts;
        GeneratedAccount = generatedAccount;
    }

    public Uri Endpoint { get; }

    public AccountDirectory Accounts { get; }

    public bool GeneratedAccount { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Starts a server; port 0 picks a free one (see <see cref="Endpoint"/>). <paramref name="services"/> may replace
    /// registrations after the composition root has made them (tests put a probe in front of a part).
    /// </summary>
    public static async Task<AmiVaultServer> StartAsync(
        AmiVaultOptions options,
        Action<ILoggingBuilder>? logging = null,
        CancellationToken cancellationToken = default,
        Action<IServiceCollection>? services = null)
    {
        var address = ParseListenAddress(options.Listen);
        var folderLock = DataDirectoryLock.Acquire(options.DataDir);
        WebApplication? app = null;
        try
        {
            var (accounts, generated) = AccountSetup.Resolve(options);
            ListenerSecurity.CheckExposure(options, address, generated);
            var certificate = ListenerSecurity.LoadCertificate(options.Tls);

            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
            // JSON lines (one object a line: timestamp, level, category, message, state) for a log collector; text for people.
            if (options.LogFormat == AmiVaultOptions.JsonLogs)
            {
                builder.Logging.AddJsonConsole(o =>
                {
                    o.UseUtcTimestamp = true;
                    o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                });
            }
            else
            {
                builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
            }

            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            // A failed start is reported once, in one line, by whoever called StartAsync; the host would log it again
            // with a stack trace. A background service that crashes is still logged (the host does so as Critical).
            builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
            logging?.Invoke(builder.Logging);
            builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
            {
                k.AddServerHeader = false;
                // Bodies are bounded by each protocol (a 512 KiB block, a 5 GiB S3 part), not globally.
                k.Limits.MaxRequestBodySize = null;
                k.Limits.MinRequestBodyDataRate = null;
                k.Listen(address, options.Port, listen =>
                {
                    if (certificate is not null)
                    {
                        listen.UseHttps(certificate);
                    }
                });
            });
            builder.Services.AddRoutingCore();
            builder.Services.AddAmiVault(new ServerContext(options), accounts);
            services?.Invoke(builder.Services);

            app = builder.Build();
            // The block store recovers and migrates when it opens: before the first request, not during it.
            app.Services.GetRequiredService<Blocks.IBlockStore>();
            var dispatcher = app.Services.GetRequiredService<RequestDispatcher>();
            app.Run(dispatcher.InvokeAsync);
            try
            {
                await app.StartAsync(cancellationToken);
            }
            catch (IOException e) when (e.InnerException is AddressInUseException)
            {
                throw new ServerStartException(
                    $"Port {options.Port} on {options.Listen} is in use by another program. Stop it, or choose another port with --port.", e);
            }
            catch (IOException e) when (e.InnerException?.InnerException is SocketException socket)
            {
                throw new ServerStartException($"Cannot listen on port {options.Port} of {options.Listen} ({socket.Message}).", e);
            }

            var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var endpoint = new Uri(bound.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
            return new AmiVaultServer(app, folderLock, endpoint, accounts, generated);
        }
        catch
        {
            if (app is not null)
            {
                // Stopped first so that the background services that did start end on their stopping token.
                await app.StopAsync(CancellationToken.None);
                await app.DisposeAsync();
            }

            folderLock.Dispose();
            throw;
        }
    }

    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        // Released last: nothing of this server touches the folder any more.
        _folderLock.Dispose();
    }

    private static IPAddress ParseListenAddress(string listen) =>
        listen == "localhost" ? IPAddress.Loopback
        : IPAddress.TryParse(listen, out var address) ? address
        : throw new InvalidOperationException($"Listen address '{listen}' is not an IP address.");
}
