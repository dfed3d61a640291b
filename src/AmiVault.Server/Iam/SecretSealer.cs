using System.Security.Cryptography;
using System.Text;

namespace AmiVault.Iam;

/// <summary>
/// Encrypts IAM secret access keys for the catalog with AES-256-GCM under one of the server's keys (IServerKeys: an
/// owner-only file beside catalog.db, or, in PostgreSQL, a key itself sealed with Catalog:SecretsKey), so a copy of
/// the catalog's tables alone gives away no usable secret. The access key id is
/// the associated data: a sealed secret moved to another key's row does not open.
/// </summary>
internal sealed class SecretSealer
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _key;

    public SecretSealer(byte[] key)
    {
        if (key.Length != 32)
        {
            throw new ArgumentException("The IAM secret key must be 32 bytes.", nameof(key));
        }

        _key = key;
    }

    public byte[] Seal(string accessKeyId, string secret)
    {
        var plain = Encoding.UTF8.GetBytes(secret);
        var sealedBytes = new byte[NonceSize + plain.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceSize, plain.Length), sealedBytes.AsSpan(NonceSize + plain.Length), Encoding.ASCII.GetBytes(accessKeyId));
        return sealedBytes;
    }

    public string Open(string accessKeyId, byte[] sealedBytes)
    {
        var length = sealedBytes.Length - NonceSize - TagSize;
        var plain = new byte[length];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize, length), sealedBytes.AsSpan(NonceSize + length), plain, Encoding.ASCII.GetBytes(accessKeyId));
        return Encoding.UTF8.GetString(plain);
    }
}
