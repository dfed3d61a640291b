using System.Text;
using AmiVault.Accounts;
using AmiVault.Auth;
using AmiVault.ObjectStore;
using AmiVault.Protocols.S3;
using AmiVault.Signing;

namespace AmiVault.Tests.S3;

/// <summary>
/// The aws-chunked decoder on the exact body AWSSDK.S3 4.1.0 sent in a capture (shared/reference/aws-cli-captures.txt,
/// signed with s3rver's default key S3RVER/S3RVER), and on that body altered.
/// </summary>
public sealed class AwsChunkedStreamTests
{
    private const string Seed = "ff2e0f1a3bf1a05aaaa4fee0142e28cebf41942ee1aeb63206d529586bdfcb1c";

    private const string CapturedBody =
        "B;chunk-signature=c5894a2a80c64deb13e340f961c71261021c389cb0710cf62160c7c3018310eb\r\n" +
        "hello world\r\n" +
        "0;chunk-signature=54fb6d96f6f7fea4c79a5906b59cbab54d0bda86eb478eeb3b86cd19e0b7bbd2\r\n" +
        "x-amz-checksum-crc32:DUoRhQ==\r\n" +
        "x-amz-trailer-signature:462b5721439883fc60bcac539b35512e2c51d98c1996de39cc8247eda5f97aae\r\n" +
        "\r\n";

    private static ChunkSigner Signer()
    {
        var key = SigningKeyCache.Derive("S3RVER", "20261125", "us-east-1", "s3");
        var identity = new RequestIdentity(
            new Account("111111111111", "S3RVER", "S3RVER"), IamPrincipal.Root("aws", "111111111111"), "s3", "us-east-1", DateTimeOffset.UnixEpoch, "20261125T163840Z",
            "20261125/us-east-1/s3/aws4_request", key, Seed, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER");
        return new ChunkSigner(identity);
    }

    private static async Task<string> DecodeAsync(string body, ChunkSigner? signer, long decodedLength = 11, bool trailers = true)
    {
        using var decoder = new AwsChunkedStream(new MemoryStream(Encoding.ASCII.GetBytes(body)), signer, trailers, decodedLength);
        using var checksum = new ChecksummingStream(decoder, FlexibleChecksum.ForHeader("x-amz-checksum-crc32")!, () => decoder.Trailer("x-amz-checksum-crc32"));
        using var output = new MemoryStream();
        await checksum.CopyToAsync(output, 3);
        return Encoding.ASCII.GetString(output.ToArray());
    }

    private static async Task<string> FailureAsync(string body, ChunkSigner? signer, long decodedLength = 11) =>
        (await Assert.ThrowsAsync<ObjectStoreException>(() => DecodeAsync(body, signer, decodedLength))).Code;

    [Fact]
    public async Task The_captured_SDK_body_decodes_with_every_signature_and_the_crc32_trailer_verified()
    {
        Assert.Equal("hello world", await DecodeAsync(CapturedBody, Signer()));
    }

    [Fact]
    public async Task A_changed_byte_in_a_chunk_fails_its_signature()
    {
        Assert.Equal("SignatureDoesNotMatch", await FailureAsync(CapturedBody.Replace("hello world", "hello World", StringComparison.Ordinal), Signer()));
    }

    [Fact]
    public async Task A_changed_trailer_fails_the_trailer_signature()
    {
        Assert.Equal("SignatureDoesNotMatch", await FailureAsync(CapturedBody.Replace("DUoRhQ==", "AAAAAA==", StringComparison.Ordinal), Signer()));
    }

    [Fact]
    public async Task An_unsigned_body_with_a_wrong_crc32_trailer_is_BadDigest()
    {
        const string Unsigned = "B\r\nhello world\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n";
        Assert.Equal("BadDigest", await FailureAsync(Unsigned, signer: null));
        Assert.Equal("hello world", await DecodeAsync(Unsigned.Replace("AAAAAA==", "DUoRhQ==", StringComparison.Ordinal), signer: null));
    }

    [Fact]
    public async Task A_truncated_body_or_a_wrong_decoded_length_is_IncompleteBody()
    {
        Assert.Equal("IncompleteBody", await FailureAsync(CapturedBody[..60], Signer()));
        Assert.Equal("IncompleteBody", await FailureAsync(CapturedBody[..120], Signer()));
        Assert.Equal("IncompleteBody", await FailureAsync(CapturedBody, Signer(), decodedLength: 12));
    }

    [Fact]
    public async Task Malformed_or_oversized_chunk_headers_are_rejected_without_allocating_them()
    {
        Assert.Equal("InvalidRequest", await FailureAsync("zz\r\n", signer: null));
        Assert.Equal("InvalidRequest", await FailureAsync("7fffffff\r\n", signer: null));
        Assert.Equal("InvalidRequest", await FailureAsync(new string('1', 10_000) + "\r\n", signer: null));
        Assert.Equal("InvalidRequest", await FailureAsync("B\r\nhello world!!\r\n0\r\n\r\n", signer: null));
        Assert.Equal("InvalidRequest", await FailureAsync("B\r\nhello world\r\n0\r\n\r\n", Signer()));
    }
}
