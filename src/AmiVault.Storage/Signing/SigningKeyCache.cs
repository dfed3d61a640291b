using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace AmiVault.Signing;

/// <summary>SigV4 signing keys change once a day per scope: derive each once instead of four HMACs per request.</summary>
internal sealed class SigningKeyCache
{
    private const int MaxEntries = 4096;
    private readonly ConcurrentDictionary<(string Secret, string Date, string Region, string Service), byte[]> _keys = new();

    public byte[] Get(string secret, string date, string region, string service)
    {
        var key = (secret, date, region, service);
        if (_keys.TryGetValue(key, out var cached))
        {
            return cached;
        }

        if (_keys.Count >= MaxEntries)
        {
            _keys.Clear();
        }

        return _keys[key] = Derive(secret, date, region, service);
    }

    public static byte[] Derive(string secret, string date, string region, string service)
    {
        var kDate = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secret), Encoding.UTF8.GetBytes(date));
        var kRegion = HMACSHA256.HashData(kDate, Encoding.UTF8.GetBytes(region));
        var kService = HMACSHA256.HashData(kRegion, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(kService, "aws4_request"u8);
    }
}
