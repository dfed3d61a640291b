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

    /// <summary>The keys the folder holds, by name (what `amivault migrate` moves into a cluster's catalog).</summary>
    public IReadOnlyDictionary<string, byte[]> Existing()
    {
        lock (_lock)
        {
            return Directory.EnumerateFiles(dataDir, "*.key")
                .Select(path => (Name: Path.GetFileNameWithoutExtension(path), Key: File.ReadAllBytes(path)))
                .Where(k => k.Key.Length == KeyLength)
                .ToDictionary(k => k.Name, k => k.Key, StringComparer.Ordinal);
        }
    }

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
