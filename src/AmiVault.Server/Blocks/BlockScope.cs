using System.Buffers.Binary;
using System.Security.Cryptography;
using AmiVault.Ebs;

namespace AmiVault.Blocks;

/// <summary>
/// The encryption boundary a block is stored within: <see cref="Plain"/> (snapshots not marked Encrypted), or one
/// account's encrypted snapshots (<see cref="BlockKeys"/>). Blocks are stored and deduplicated by their address, which
/// is the block's SHA-256 in the plain scope and a keyed permutation of it in an encrypted one, so identical data in
/// two scopes has two addresses and dedupe never crosses accounts or plain/encrypted. A permutation rather than a MAC
/// because it can be inverted with the key: the plaintext SHA-256 (the EBS checksum, the LINEAR aggregate, the archive's
/// block digest) comes back from the address the catalog keeps, and a restore computes each block's address from the
/// archive's SHA-256 before the data arrives. The zero block keeps its hash in every scope: it is never stored.
/// An encrypted record's stored bytes are <c>nonce (12) | AES-256-GCM ciphertext | tag (16)</c> of the block's
/// (possibly compressed) bytes, authenticated together with its address and flags.
/// </summary>
internal sealed class BlockScope
{
    public const int NonceLength = 12;
    public const int TagLength = 16;

    /// <summary>What encryption adds to a record's stored bytes.</summary>
    public const int Overhead = NonceLength + TagLength;

    private readonly byte[]? _dataKey;
    private readonly Aes? _addressCipher;

    private BlockScope(byte[]? dataKey, byte[]? addressKey, uint keyId)
    {
        _dataKey = dataKey;
        KeyId = keyId;
        if (addressKey is not null)
        {
            _addressCipher = Aes.Create();
            _addressCipher.Key = addressKey;
        }
    }

    /// <summary>Blocks stored as they are, addressed by their SHA-256.</summary>
    public static BlockScope Plain { get; } = new(null, null, 0);

    public bool Encrypts => _dataKey is not null;

    /// <summary>Names the key in the record header, so that a record read with another key says so plainly.</summary>
    public uint KeyId { get; }

    /// <summary>
    /// A scope from 68 bytes of key material: the data key, the address key, and the key id (see <see cref="BlockKeys"/>).
    /// </summary>
    public static BlockScope Encrypted(ReadOnlySpan<byte> material) =>
        new(material[..32].ToArray(), material[32..64].ToArray(), BinaryPrimitives.ReadUInt32LittleEndian(material[64..68]));

    /// <summary>The address of the block whose SHA-256 is <paramref name="sha256"/>.</summary>
    public byte[] AddressOf(ReadOnlySpan<byte> sha256) => Permute(sha256, encrypt: true);

    /// <summary>The SHA-256 of the block stored at <paramref name="address"/> (the inverse of <see cref="AddressOf"/>).</summary>
    public byte[] Sha256Of(ReadOnlySpan<byte> address) => Permute(address, encrypt: false);

    /// <summary>
    /// Encrypts <paramref name="stored"/> into <paramref name="destination"/> (<see cref="Overhead"/> bytes longer),
    /// bound to the record's address and flags.
    /// </summary>
    public void Seal(ReadOnlySpan<byte> address, PackRecordFlags flags, ReadOnlySpan<byte> stored, Span<byte> destination)
    {
        var nonce = destination[..NonceLength];
        RandomNumberGenerator.Fill(nonce);
        using var gcm = new AesGcm(_dataKey!, TagLength);
        gcm.Encrypt(nonce, stored, destination.Slice(NonceLength, stored.Length), destination.Slice(NonceLength + stored.Length, TagLength), Associated(address, flags));
    }

    /// <summary>Decrypts a record's stored bytes into <paramref name="destination"/>; false when they fail authentication.</summary>
    public bool TryOpen(ReadOnlySpan<byte> address, PackRecordFlags flags, ReadOnlySpan<byte> sealedBytes, Span<byte> destination)
    {
        if (sealedBytes.Length < Overhead)
        {
            return false;
        }

        var length = sealedBytes.Length - Overhead;
        using var gcm = new AesGcm(_dataKey!, TagLength);
        try
        {
            gcm.Decrypt(sealedBytes[..NonceLength], sealedBytes.Slice(NonceLength, length), sealedBytes[(NonceLength + length)..], destination[..length], Associated(address, flags));
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    private static byte[] Associated(ReadOnlySpan<byte> address, PackRecordFlags flags)
    {
        var associated = new byte[BlockHashes.Length + 1];
        address.CopyTo(associated);
        associated[^1] = (byte)flags;
        return associated;
    }

    /// <summary>
    /// AES-256 over the 32 bytes as two chained blocks, then again with the halves swapped, so that every bit of the
    /// address depends on every bit of the hash (a deterministic encryption of a value that is itself random: it reveals
    /// only equality, which is what dedupe within the scope needs).
    /// </summary>
    private byte[] Permute(ReadOnlySpan<byte> value, bool encrypt)
    {
        if (_addressCipher is null || BlockHashes.IsZeroHash(value))
        {
            return value.ToArray();
        }

        Span<byte> iv = stackalloc byte[16];
        iv.Clear();
        lock (_addressCipher)
        {
            if (encrypt)
            {
                var once = _addressCipher.EncryptCbc(value, iv, PaddingMode.None);
                return _addressCipher.EncryptCbc(Swapped(once), iv, PaddingMode.None);
            }

            var undone = _addressCipher.DecryptCbc(value, iv, PaddingMode.None);
            return _addressCipher.DecryptCbc(Swapped(undone), iv, PaddingMode.None);
        }
    }

    private static byte[] Swapped(byte[] value) => [.. value.AsSpan(16), .. value.AsSpan(0, 16)];
}
