using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace AmiVault.Protocols.Ec2;

/// <summary>
/// NextToken for every paginated EC2 action. A token names the position after which the next page starts (the
/// sort key of the last item returned, so items added or removed between pages neither repeat nor vanish) and
/// carries an HMAC over that position, its issue time and the request it belongs to: action, caller and every
/// parameter except NextToken, MaxResults and DryRun. A token that was altered, forged, older than
/// <see cref="Lifetime"/>, issued by another server process, or replayed with other filters or by another account
/// is InvalidPaginationToken. The key comes from <see cref="AmiVault.Catalog.IServerKeys"/> ("ec2-page-token"), so every
/// node of a cluster continues a listing another node began.
/// </summary>
internal sealed class Ec2PageTokens(TimeProvider time, byte[] key)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    private const byte Version = 1;
    private const int MaxTokenLength = 2048;
    private const int HeaderLength = 1 + sizeof(long);
    private static readonly string[] Unscoped = ["NextToken", "MaxResults", "DryRun"];

    public const string KeyName = "ec2-page-token";

    private readonly byte[] _key = key.Length >= 32 ? key : throw new ArgumentException("A page token key has at least 32 bytes.", nameof(key));

    /// <summary>
    /// Reads MaxResults and NextToken. Call it while validating, before <see cref="Ec2Call.EndIfDryRun"/>. A MaxResults
    /// below <paramref name="min"/> is refused; above <paramref name="max"/> it is lowered to it, as EC2 documents.
    /// Without MaxResults a page holds everything that is left.
    /// </summary>
    public Ec2Pager Start(Ec2Call call, int min = 5, int max = 1000)
    {
        var maxResults = call.Parameters.Int("MaxResults", min, int.MaxValue);
        var scope = Scope(call);
        var token = call.Parameters.Get("NextToken");
        var after = string.IsNullOrEmpty(token) ? null : Read(token, scope);
        return new Ec2Pager(after, maxResults is { } m ? Math.Min(m, max) : null, position => Issue(position, scope));
    }

    private static byte[] Scope(Ec2Call call)
    {
        var text = new StringBuilder().Append(call.Action).Append('\n').Append(call.AccountId).Append('\n');
        foreach (var (name, value) in call.Parameters.Pairs.Where(p => !Unscoped.Contains(p.Key)).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append(name).Append('=').Append(value).Append('\n');
        }

        return SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
    }

    private string Issue(string position, byte[] scope)
    {
        var positionBytes = Encoding.UTF8.GetBytes(position);
        var token = new byte[HeaderLength + positionBytes.Length + HMACSHA256.HashSizeInBytes];
        token[0] = Version;
        BinaryPrimitives.WriteInt64BigEndian(token.AsSpan(1), time.GetUtcNow().ToUnixTimeSeconds());
        positionBytes.CopyTo(token, HeaderLength);
        Mac(token.AsSpan(0, token.Length - HMACSHA256.HashSizeInBytes), scope, token.AsSpan(token.Length - HMACSHA256.HashSizeInBytes));
        return Base64Url(token);
    }

    private string Read(string token, byte[] scope)
    {
        var bytes = token.Length <= MaxTokenLength ? FromBase64Url(token) : null;
        if (bytes is null || bytes.Length < HeaderLength + HMACSHA256.HashSizeInBytes || bytes[0] != Version)
        {
            throw Invalid();
        }

        var signed = bytes.AsSpan(0, bytes.Length - HMACSHA256.HashSizeInBytes);
        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Mac(signed, scope, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, bytes.AsSpan(signed.Length)))
        {
            throw Invalid();
        }

        var issued = DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(1)));
        var age = time.GetUtcNow() - issued;
        if (age > Lifetime || age < TimeSpan.FromMinutes(-5))
        {
            throw new Ec2Exception("InvalidPaginationToken", "The pagination token has expired; start the listing again.");
        }

        return Encoding.UTF8.GetString(signed[HeaderLength..]);
    }

    private void Mac(ReadOnlySpan<byte> payload, byte[] scope, Span<byte> destination)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        hmac.AppendData(scope);
        hmac.AppendData(payload);
        hmac.GetHashAndReset(destination);
    }

    private static Ec2Exception Invalid() =>
        new("InvalidPaginationToken", "The pagination token is not valid for this request.");

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[]? FromBase64Url(string text)
    {
        var base64 = text.Replace('-', '+').Replace('_', '/');
        base64 += (base64.Length % 4) switch
        {
            2 => "==",
            3 => "=",
            _ => "",
        };
        var buffer = new byte[base64.Length];
        if (!Convert.TryFromBase64String(base64, buffer, out var written))
        {
            return null;
        }

        // Only the one spelling this server issues: the decoder ignores the spare bits of a last character.
        var bytes = buffer[..written];
        return Base64Url(bytes) == text ? bytes : null;
    }
}
