using System.Buffers.Binary;
using System.Security.Cryptography;

namespace AmiVault.ObjectStore.Embedded;

/// <summary>
/// Encryption at rest of one data file: AES-256-GCM over 64 KiB frames, so files stream and a ranged read decrypts
/// only the frames it touches. Each file has its own key, derived from the server's master key and a random salt in
/// the file header; a frame's nonce is its index plus a last-frame flag, so frames cannot be reordered, dropped or
/// cut off at the end without the tag check failing.
/// </summary>
internal sealed class SegmentCipher : IFrameSeal
{
    public const int Size = 4 + SaltSize;
    private const int SaltSize = 32;
    private static readonly byte[] Magic = "AVE1"u8.ToArray();

    private readonly AesGcm _aes;

    private SegmentCipher(byte[] masterKey, ReadOnlySpan<byte> salt)
    {
        var key = HKDF.DeriveKey(HashAlgorithmName.SHA256, masterKey, 32, salt.ToArray(), "amivault object data"u8.ToArray());
        _aes = new AesGcm(key, TagSize);
    }

    /// <summary>A cipher for a new file, and the header to write at its start.</summary>
    public static SegmentCipher CreateForWrite(byte[] masterKey, out byte[] header)
    {
        header = new byte[Size];
        Magic.CopyTo(header, 0);
        RandomNumberGenerator.Fill(header.AsSpan(Magic.Length));
        return new SegmentCipher(masterKey, header.AsSpan(Magic.Length));
    }

    public static SegmentCipher FromHeader(byte[] masterKey, ReadOnlySpan<byte> header)
    {
        if (header.Length != Size || !header[..Magic.Length].SequenceEqual(Magic))
        {
            throw ObjectStoreErrors.StoredDataCorrupt("an encrypted data file has no valid header");
        }

        return new SegmentCipher(masterKey, header[Magic.Length..]);
    }

    public int HeaderSize => Size;

    public int TagSize => SegmentFrames.MaxTagSize;

    public void Seal(long index, bool last, ReadOnlySpan<byte> plain, Span<byte> cipherAndTag)
    {
        Span<byte> nonce = stackalloc byte[12];
        Nonce(index, last, nonce);
        _aes.Encrypt(nonce, plain, cipherAndTag[..plain.Length], cipherAndTag.Slice(plain.Length, TagSize));
    }

    public void Open(long index, bool last, ReadOnlySpan<byte> cipherAndTag, Span<byte> plain)
    {
        Span<byte> nonce = stackalloc byte[12];
        Nonce(index, last, nonce);
        var length = cipherAndTag.Length - TagSize;
        try
        {
            _aes.Decrypt(nonce, cipherAndTag[..length], cipherAndTag[length..], plain[..length]);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw ObjectStoreErrors.StoredDataCorrupt($"encrypted frame {index} failed its integrity check");
        }
    }

    private static void Nonce(long index, bool last, Span<byte> nonce)
    {
        BinaryPrimitives.WriteUInt32BigEndian(nonce, last ? 1u : 0u);
        BinaryPrimitives.WriteInt64BigEndian(nonce[4..], index);
    }

    public void Dispose() => _aes.Dispose();
}
