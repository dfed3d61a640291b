using AmiVault.Auth;
using AmiVault.ObjectStore;
using Microsoft.AspNetCore.Http;

namespace AmiVault.Protocols.S3;

/// <summary>
/// A request body as the store should see it, in every form SDKs send: plain (its SHA-256 already checked by the
/// authenticator), aws-chunked with signed chunks (and a signed trailer) or with unsigned chunks and a checksum
/// trailer; a flexible checksum from a header or trailer is verified, Content-MD5 is handed to the store.
/// Every check fails the read that reaches the end of the body, before anything is committed.
/// </summary>
internal sealed class S3Body
{
    private const string SignedStreaming = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    private const string SignedStreamingTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
    private const string UnsignedStreamingTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

    private readonly ChecksumVerifyingStream? _checksum;

    private S3Body(Stream stream, long? length, byte[]? contentMd5, ChecksumVerifyingStream? checksum)
    {
        Stream = stream;
        Length = length;
        ContentMd5 = contentMd5;
        _checksum = checksum;
    }

    public Stream Stream { get; }

    /// <summary>The decoded length, when the request declares it.</summary>
    public long? Length { get; }

    public byte[]? ContentMd5 { get; }

    /// <summary>The verified flexible checksum (header name, value) to echo, once the body has been read.</summary>
    public (string Header, string Value)? VerifiedChecksum =>
        _checksum?.Value is { } value ? (_checksum.Header, value) : null;

    public static S3Body Open(HttpRequest request, RequestIdentity identity)
    {
        var stream = request.Body;
        long? length = request.ContentLength;
        AwsChunkedStream? chunked = null;
        var payload = identity.PayloadHash;
        var streaming = payload.StartsWith("STREAMING-", StringComparison.Ordinal);
        var trailers = payload is SignedStreamingTrailer or UnsignedStreamingTrailer
            || (!streaming && request.Headers.ContainsKey("x-amz-trailer"));
        if (streaming && payload is not (SignedStreaming or SignedStreamingTrailer or UnsignedStreamingTrailer))
        {
            throw new ObjectStoreException("NotImplemented", $"The payload mode {payload} is not implemented.", 501);
        }

        // A body can also be aws-chunked under a plain payload hash (the whole framed body signed): decoded all the same.
        var awsChunked = request.Headers.ContentEncoding.ToString().Split(',').Any(e => e.Trim() == "aws-chunked");
        if (streaming || awsChunked)
        {
            length = ParseLength(request.Headers["x-amz-decoded-content-length"].ToString())
                ?? throw new ObjectStoreException("MissingContentLength", "You must provide the x-amz-decoded-content-length HTTP header.", 411);
            var signer = payload is SignedStreaming or SignedStreamingTrailer ? new ChunkSigner(identity) : null;
            stream = chunked = new AwsChunkedStream(stream, signer, trailers, length.Value);
        }

        ChecksumVerifyingStream? checksum = null;
        var trailerName = request.Headers["x-amz-trailer"].ToString().Trim();
        if (trailerName.Length > 0)
        {
            if (!trailers)
            {
                throw ObjectStoreErrors.InvalidRequest("x-amz-trailer is only valid with a STREAMING-…-TRAILER payload.");
            }

            var algorithm = S3Checksum.ForHeader(trailerName) ?? throw ObjectStoreErrors.InvalidRequest($"The trailer {trailerName} is not a supported checksum.");
            stream = checksum = new ChecksumVerifyingStream(stream, algorithm, () => chunked!.Trailer(algorithm.Header));
        }
        else if (S3Checksum.Headers.FirstOrDefault(h => request.Headers.ContainsKey(h)) is { } header)
        {
            var sent = request.Headers[header].ToString();
            stream = checksum = new ChecksumVerifyingStream(stream, S3Checksum.ForHeader(header)!, () => sent);
        }

        return new S3Body(stream, length, ParseContentMd5(request.Headers["Content-MD5"].ToString()), checksum);
    }

    private static long? ParseLength(string text) =>
        long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : null;

    private static byte[]? ParseContentMd5(string header)
    {
        if (header.Length == 0)
        {
            return null;
        }

        var bytes = new byte[16];
        return Convert.TryFromBase64String(header, bytes, out var written) && written == 16
            ? bytes
            : throw ObjectStoreErrors.InvalidDigest("Content-MD5");
    }
}
