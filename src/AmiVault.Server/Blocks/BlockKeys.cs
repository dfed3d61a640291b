using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using AmiVault.Catalog;

namespace AmiVault.Blocks;

/// <summary>
/// The encryption scope of a snapshot's blocks: plain unless the snapshot is marked Encrypted, then its owner's. Each
/// account's keys are derived (HKDF-SHA256) from one master key, <see cref="KeyName"/> of the server's keys
/// (<see cref="IServerKeys"/>: a file in the data folder with the SQLite catalog; sealed in the shared catalog with
/// PostgreSQL, so every node of a cluster derives the same keys), never from anything kept in the packs.
/// </summary>
internal sealed class BlockKeys(IServerKeys keys)
{
    public const string KeyName = "block-encryption";

    private readonly Lazy<byte[]> _master = new(() => keys.GetOrCreate(KeyName));
    private readonly ConcurrentDictionary<string, BlockScope> _accounts = new(StringComparer.Ordinal);

    public BlockScope For(SnapshotRecord snapshot) => snapshot.Encrypted ? ForAccount(snapshot.OwnerId) : BlockScope.Plain;

    /// <summary>The scope of an account's encrypted snapshots.</summary>
    public BlockScope ForAccount(string accountId) =>
        _accounts.GetOrAdd(accountId, id => BlockScope.Encrypted(
            HKDF.DeriveKey(HashAlgorithmName.SHA256, _master.Value, 68, salt: [], info: Encoding.UTF8.GetBytes("amivault/block-keys/v1/" + id))));
}
