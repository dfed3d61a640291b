using System.Security.Cryptography;
using System.Text;
using AmiVault.Auth;

namespace AmiVault.Protocols.S3;

/// <summary>
/// The signatures of an aws-chunked body: each chunk's signature chains from the one before, starting at the
/// request's seed signature, and a trailer's signature chains from the final chunk's.
/// </summary>
internal sealed class ChunkSigner(RequestIdentity identity)
{
    private static readonly string EmptySha256 = Convert.ToHexStringLower(SHA256.HashData([]));

    private string _previous = identity.SeedSignature;

    /// <summary>Checks the signature sent with a chunk whose data hashed to <paramref name="dataSha256"/>, and chains on.</summary>
    public bool VerifyChunk(ReadOnlySpan<byte> dataSha256, string sent) =>
        Verify($"AWS4-HMAC-SHA256-PAYLOAD\n{identity.AmzDate}\n{identity.Scope}\n{_previous}\n{EmptySha256}\n{Convert.ToHexStringLower(dataSha256)}", sent);

    /// <summary>Checks the trailer signature over the trailer lines, each "name:value\n" as sent.</summary>
    public bool VerifyTrailer(string canonicalTrailers, string sent) =>
        Verify($"AWS4-HMAC-SHA256-TRAILER\n{identity.AmzDate}\n{identity.Scope}\n{_previous}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalTrailers)))}", sent);

    private bool Verify(string stringToSign, string sent)
    {
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(identity.SigningKey, Encoding.UTF8.GetBytes(stringToSign)));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(sent)))
        {
            return false;
        }

        _previous = expected;
        return true;
    }
}
