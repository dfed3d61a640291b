using System.Security.Cryptography;

namespace AmiVault.Ebs;

/// <summary>
/// The EBS "LINEAR" aggregate checksum of a snapshot: SHA-256 over the raw 32-byte SHA-256 of each written block,
/// in ascending block index, base64-encoded (what AWS's own coldsnap sends to CompleteSnapshot).
/// </summary>
internal sealed class LinearChecksum : IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <summary>Adds the next block's digest; blocks must come in ascending index order.</summary>
    public void Append(ReadOnlySpan<byte> blockSha256)
    {
        if (blockSha256.Length != BlockHashes.Length)
        {
            throw new ArgumentException("A block digest is 32 bytes.", nameof(blockSha256));
        }

        _hash.AppendData(blockSha256);
    }

    public byte[] Digest() => _hash.GetCurrentHash();

    public string ToBase64() => Convert.ToBase64String(Digest());

    public void Dispose() => _hash.Dispose();
}
