using AmiVault.ObjectStore;
using AmiVault.ObjectStore.Embedded;

namespace AmiVault.Tests.ObjectStore;

/// <summary>The object-store contract, run against the embedded store in a temporary data folder.</summary>
public sealed class EmbeddedObjectStoreContractTests : ObjectStoreContractTests, IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "amivault-store-" + Guid.NewGuid().ToString("N"));

    public EmbeddedObjectStoreContractTests()
    {
        Store = new EmbeddedObjectStoreProvider(new EmbeddedStorage(_dataDir, "us-east-1", TimeProvider.System)).ForAccount("111111111111");
    }

    private protected override IObjectStore Store { get; }

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);
}
