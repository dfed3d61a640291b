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

    private S3Body(Stream stream, long? length, byte[]? contentMd5, ChecksummingStream? checksum)
    {
        Stream = stream;
        Length = length;
        ContentMd5 = contentMd5;
        Checksum = checksum;
    }

    public Stream Stream { get; }

    /// <summary>The decoded length, when the request declares it.</summary>
    public long? Length { get; }

    public byte[]? ContentMd5 { get; }

    /// <summary>
    /// The body's flexible checksum (sent in a header or trailer and verified, or only named by
    /// x-amz-sdk-checksum-algorithm and computed): its value is known once the body has been read.
    /// </summary>
    public ChecksummingStream? Checksum { get; }

    /// <summary>The checksum to echo, once the body has been read.</summary>
    public ObjectChecksum? VerifiedChecksum => Checksum?.Value is { } value ? new ObjectChecksum(Checksum.Algorithm, value) : null;

    public static S3Body Open(HttpRequest request, RequestIdentity identity, bool checksumHeadersNameTheObject = false)
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

        ChecksummingStream? checksum = null;
        var trailerName = request.Headers["x-amz-trailer"].ToString().Trim();
        List<string> headers = checksumHeadersNameTheObject ? [] : FlexibleChecksum.Headers.Where(h => request.Headers.ContainsKey(h)).ToList();
        if (headers.Count + (trailerName.Length > 0 ? 1 : 0) > 1)
        {
            throw ObjectStoreErrors.InvalidRequest("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
        }

        if (trailerName.Length > 0)
        {
            if (!trailers)
            {
                throw ObjectStoreErrors.InvalidRequest("x-amz-trailer is only valid with a STREAMING-…-TRAILER payload.");
            }

            var algorithm = FlexibleChecksum.ForHeader(trailerName) ?? throw ObjectStoreErrors.InvalidRequest($"The trailer {trailerName} is not a supported checksum.");
            stream = checksum = new ChecksummingStream(stream, algorithm, () => chunked!.Trailer(algorithm.Header));
        }
        else if (headers.Count == 1)
        {
            var algorithm = FlexibleChecksum.AlgorithmOfHeader(headers[0])!;
            var sent = request.Headers[headers[0]].ToString();
            if (!FlexibleChecksum.IsWellFormed(algorithm, sent))
            {
                throw ObjectStoreErrors.InvalidRequest($"Value for {headers[0]} header is invalid.");
            }

            stream = checksum = new ChecksummingStream(stream, FlexibleChecksum.Create(algorithm), () => sent);
        }
        else if (!checksumHeadersNameTheObject && request.Headers["x-amz-sdk-checksum-algorithm"].ToString() is { Length: > 0 } named)
        {
            // The algorithm without its value: S3 computes the checksum and keeps it.
            var algorithm = FlexibleChecksum.Normalize(named) ?? throw UnsupportedAlgorithm();
            stream = checksum = new ChecksummingStream(stream, FlexibleChecksum.Create(algorithm), expected: null);
        }

        return new S3Body(stream, length, ParseContentMd5(request.Headers["Content-MD5"].ToString()), checksum);
    }

    public static ObjectStoreException UnsupportedAlgorithm() =>
        ObjectStoreErrors.InvalidRequest("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]");

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
