using System.Security.Cryptography;
using System.Text;

namespace AmiVault.Catalog.Postgres;

/// <summary>
/// Keys shared by the nodes of a cluster, in the server_keys table, sealed with AES-256-GCM under the key from the
/// configuration (Catalog:SecretsKey), so a copy of the database alone does not let anyone forge tokens. The first
/// node to ask creates a key; a node racing it loses the insert and reads the winner's.
/// </summary>
internal sealed class PostgresServerKeys(PostgresDatabase db, byte[] sealingKey) : IServerKeys
{
    private const int KeyLength = 32;
    private const int NonceLength = 12;
    private const int TagLength = 16;

    public byte[] GetOrCreate(string name)
    {
        var candidate = Seal(name, RandomNumberGenerator.GetBytes(KeyLength));
        var sealedKey = db.WriteAsync(async (c, t) =>
        {
            await using (var insert = PostgresDatabase.Command(c, "INSERT INTO server_keys (name, sealed) VALUES (@n, @s) ON CONFLICT (name) DO NOTHING;", t,
                ("@n", name), ("@s", candidate)))
            {
                await insert.ExecuteNonQueryAsync();
            }

            await using var read = PostgresDatabase.Command(c, "SELECT sealed FROM server_keys WHERE name = @n;", t, ("@n", name));
            return (byte[])(await read.ExecuteScalarAsync())!;
        }, CancellationToken.None).GetAwaiter().GetResult();
        return Open(name, sealedKey);
    }

    /// <summary>
    /// Stores <paramref name="key"/> under <paramref name="name"/> (a single server's key, moving into the cluster) unless
    /// the catalog has one; true when the catalog's key is now this one, false when it already had another.
    /// </summary>
    public async Task<bool> ImportAsync(string name, byte[] key, CancellationToken cancellationToken)
    {
        if (key.Length != KeyLength)
        {
            throw new ArgumentException($"A server key is {KeyLength} bytes, not {key.Length}.", nameof(key));
        }

        var sealedKey = await db.WriteAsync(async (c, t) =>
        {
            await using (var insert = PostgresDatabase.Command(c, "INSERT INTO server_keys (name, sealed) VALUES (@n, @s) ON CONFLICT (name) DO NOTHING;", t,
                ("@n", name), ("@s", Seal(name, key))))
            {
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var read = PostgresDatabase.Command(c, "SELECT sealed FROM server_keys WHERE name = @n;", t, ("@n", name));
            return (byte[])(await read.ExecuteScalarAsync(cancellationToken))!;
        }, cancellationToken);
        return CryptographicOperations.FixedTimeEquals(Open(name, sealedKey), key);
    }

    /// <summary>nonce ‖ ciphertext ‖ tag; the key's name is the associated data, so sealed keys cannot be swapped.</summary>
    private byte[] Seal(string name, byte[] key)
    {
        var result = new byte[NonceLength + key.Length + TagLength];
        RandomNumberGenerator.Fill(result.AsSpan(0, NonceLength));
        using var aes = new AesGcm(sealingKey, TagLength);
        aes.Encrypt(result.AsSpan(0, NonceLength), key, result.AsSpan(NonceLength, key.Length), result.AsSpan(NonceLength + key.Length), Encoding.UTF8.GetBytes(name));
        return result;
    }

    private byte[] Open(string name, byte[] sealedKey)
    {
        if (sealedKey.Length != NonceLength + KeyLength + TagLength)
        {
            throw new InvalidOperationException($"The server key '{name}' in the catalog is damaged.");
        }

        var key = new byte[KeyLength];
        try
        {
            using var aes = new AesGcm(sealingKey, TagLength);
            aes.Decrypt(sealedKey.AsSpan(0, NonceLength), sealedKey.AsSpan(NonceLength, KeyLength), sealedKey.AsSpan(NonceLength + KeyLength), key, Encoding.UTF8.GetBytes(name));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new InvalidOperationException(
                $"Catalog:SecretsKey does not open the server key '{name}' in the catalog: every node of a cluster needs the same Catalog:SecretsKey.");
        }

        return key;
    }
}
