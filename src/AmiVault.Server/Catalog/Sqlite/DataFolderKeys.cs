using System.Security.Cryptography;
using AmiVault.IO;

namespace AmiVault.Catalog.Sqlite;

/// <summary>
/// The embedded backend's keys: files beside catalog.db (owner-only), as private as the catalog itself, so tokens
/// survive a restart. One node owns the folder, so nothing else needs to share them.
/// </summary>
internal sealed class DataFolderKeys(string dataDir) : IServerKeys
{
    private const int KeyLength = 32;
    private readonly Lock _lock = new();

    public byte[] GetOrCreate(string name)
    {
        var path = Path.Combine(dataDir, name + ".key");
        lock (_lock)
        {
            if (File.Exists(path))
            {
                var existing = File.ReadAllBytes(path);
                if (existing.Length == KeyLength)
                {
                    return existing;
                }
            }

            var key = RandomNumberGenerator.GetBytes(KeyLength);
            DurableFile.WriteAll(path, key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            return key;
        }
    }
}
