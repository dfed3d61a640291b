using System.Collections.Concurrent;
using AmiVault.ObjectStore;
using AmiVault.ObjectStore.External;
using AmiVault.Resilience;
using Amazon.S3;

namespace AmiVault.Cli.Common;

/// <summary>One side's S3 as the object-store interface the server uses too, owning the SDK client behind it.</summary>
internal sealed class ObjectStoreClient(AmazonS3Client client, string region, ResiliencePolicy retry) : IDisposable
{
    public IObjectStore Store { get; } = new ExternalObjectStore(client, region, new ConcurrentDictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal), retry);

    public void Dispose() => client.Dispose();
}
