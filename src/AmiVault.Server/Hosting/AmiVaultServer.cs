using System.Net;
using AmiVault.Accounts;
using AmiVault.Configuration;
using Microsoft.AspNetCore.Builder;
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

    private AmiVaultServer(WebApplication app, Uri endpoint, AccountDirectory accounts, bool generatedAccount)
    {
        _app = app;
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
        Directory.CreateDirectory(options.DataDir);
        var (accounts, generated) = AccountSetup.Resolve(options);
        var address = ParseListenAddress(options.Listen);
        if (generated && !IPAddress.IsLoopback(address))
        {
            throw new InvalidOperationException(
                $"Refusing to listen on {options.Listen} with generated development keys. Configure accounts (AMIVAULT_ACCOUNT_ID, AMIVAULT_ACCESS_KEY_ID, AMIVAULT_SECRET_ACCESS_KEY, or Accounts in the config file) or listen on 127.0.0.1.");
        }

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        logging?.Invoke(builder.Logging);
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            // Bodies are bounded by each protocol (a 512 KiB block, a 5 GiB S3 part), not globally.
            k.Limits.MaxRequestBodySize = null;
            k.Limits.MinRequestBodyDataRate = null;
            k.Listen(address, options.Port);
        });
        builder.Services.AddRoutingCore();
        builder.Services.AddAmiVault(new ServerContext(options), accounts);
        services?.Invoke(builder.Services);

        var app = builder.Build();
        var dispatcher = app.Services.GetRequiredService<RequestDispatcher>();
        app.Run(dispatcher.InvokeAsync);
        await app.StartAsync(cancellationToken);

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var endpoint = new Uri(bound.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        return new AmiVaultServer(app, endpoint, accounts, generated);
    }

    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static IPAddress ParseListenAddress(string listen) =>
        listen == "localhost" ? IPAddress.Loopback
        : IPAddress.TryParse(listen, out var address) ? address
        : throw new InvalidOperationException($"Listen address '{listen}' is not an IP address.");
}
