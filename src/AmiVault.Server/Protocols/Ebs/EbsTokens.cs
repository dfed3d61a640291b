using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using AmiVault.Catalog;

namespace AmiVault.Protocols.Ebs;

/// <summary>
/// Block and page tokens: opaque to clients, checked here without any state. A token carries a version, its
/// expiry and one number (block index or next page start), and a truncated HMAC-SHA256 over those and what it is
/// bound to (a snapshot and the block's hash, or a listing's snapshots), keyed with a secret from <see cref="IServerKeys"/>
/// so tokens survive a restart and every node of a cluster accepts them. A changed block, another snapshot or a forged byte makes the MAC fail.
/// </summary>
internal sealed class EbsTokens
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    /// <summary>The key's name; with the embedded catalog, the file ebs-token.key in the data folder, as before.</summary>
    private const string KeyName = "ebs-token";
    private const byte Version = 1;
    private const int HeaderLength = 1 + 8 + 8;
    private const int MacLength = 24;
    private const int TokenLength = HeaderLength + MacLength;

    private readonly byte[] _key;
    private readonly TimeProvider _time;

    public EbsTokens(IServerKeys keys, TimeProvider time)
    {
        _time = time;
        _key = keys.GetOrCreate(KeyName);
    }

    /// <summary>The expiry to give every token of one answer (whole seconds, as the answer's ExpiryTime says).</summary>
    public DateTimeOffset NewExpiry() => DateTimeOffset.FromUnixTimeSeconds((_time.GetUtcNow() + Lifetime).ToUnixTimeSeconds());

    public string ForBlock(string snapshotId, long blockIndex, ReadOnlySpan<byte> hash, DateTimeOffset expiry) =>
        Issue("block", snapshotId, blockIndex, hash, expiry);

    public bool IsValidBlockToken(string token, string snapshotId, long blockIndex, ReadOnlySpan<byte> hash) =>
        TryOpen(token, "block", snapshotId, hash, out var index) && index == blockIndex;

    /// <summary>A page token of a listing named by <paramref name="scope"/>, resuming at <paramref name="nextIndex"/>.</summary>
    public string ForPage(string scope, long nextIndex, DateTimeOffset expiry) => Issue("page", scope, nextIndex, [], expiry);

    /// <summary>The index a page token resumes at, or null when it is forged, expired or of another listing.</summary>
    public long? ReadPage(string token, string scope) => TryOpen(token, "page", scope, [], out var next) ? next : null;

    private string Issue(string kind, string subject, long value, ReadOnlySpan<byte> binding, DateTimeOffset expiry)
    {
        Span<byte> token = stackalloc byte[TokenLength];
        token[0] = Version;
        BinaryPrimitives.WriteInt64BigEndian(token[1..], expiry.ToUnixTimeSeconds());
        BinaryPrimitives.WriteInt64BigEndian(token[9..], value);
        Span<byte> mac = stackalloc byte[32];
        Mac(kind, subject, token[..HeaderLength], binding, mac);
        mac[..MacLength].CopyTo(token[HeaderLength..]);
        return Convert.ToBase64String(token);
    }

    private bool TryOpen(string text, string kind, string subject, ReadOnlySpan<byte> binding, out long value)
    {
        value = 0;
        Span<byte> token = stackalloc byte[TokenLength];

        // A '+' sent unescaped in a query string arrives as a space.
        if (!Convert.TryFromBase64String(text.Replace(' ', '+'), token, out var length) || length != TokenLength || token[0] != Version)
        {
            return false;
        }

        Span<byte> mac = stackalloc byte[32];
        Mac(kind, subject, token[..HeaderLength], binding, mac);
        if (!CryptographicOperations.FixedTimeEquals(mac[..MacLength], token[HeaderLength..]))
        {
            return false;
        }

        var expiry = BinaryPrimitives.ReadInt64BigEndian(token[1..]);
        if (_time.GetUtcNow().ToUnixTimeSeconds() > expiry)
        {
            return false;
        }

        value = BinaryPrimitives.ReadInt64BigEndian(token[9..]);
        return true;
    }

    private void Mac(string kind, string subject, ReadOnlySpan<byte> header, ReadOnlySpan<byte> binding, Span<byte> destination)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        hmac.AppendData(Encoding.UTF8.GetBytes($"{kind}\0{subject}\0"));
        hmac.AppendData(header);
        hmac.AppendData(binding);
        hmac.GetHashAndReset(destination);
    }
}
