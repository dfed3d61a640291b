using AmiVault.Tests.Support;
using AmiVault.Tests.Tasks;
using Microsoft.Extensions.DependencyInjection;

namespace AmiVault.Tests.Console;

/// <summary>One server (with a gate in front of its block store, to hold a task mid-way) and one browser, for a test class.</summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    internal TestServer Server { get; private set; } = null!;

    internal ConsoleBrowser Browser { get; private set; } = null!;

    internal GatedBlockStore Gate => Server.Server.Services.GetRequiredService<GatedBlockStore>();

    public async Task InitializeAsync()
    {
        Server = await TestServer.StartAsync("us-east-1", null, GatedBlockStore.Install);
        Browser = new ConsoleBrowser(Server.EndpointUrl);
    }

    public async Task DisposeAsync()
    {
        Browser?.Dispose();
        if (Server is not null)
        {
            Gate.Open();
            await Server.DisposeAsync();
        }
    }
}
