using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AmiVault.ObjectStore;

namespace AmiVault.Protocols.S3;

/// <summary>
/// Decodes an aws-chunked body (<c>hex-size[;chunk-signature=…]\r\n data \r\n … 0…\r\n [trailers] \r\n</c>) into the
/// plain data, never passing the framing on. Signed chunks and a signed trailer are verified as they arrive; the
/// decoded length must match x-amz-decoded-content-length. Chunk headers, chunks and trailers are bounded.
/// </summary>
internal sealed class AwsChunkedStream : ReadOnlyStream
{
    public const int MaxChunkSize = 16 * 1024 * 1024;
    private const int MaxLine = 4096;
    private const int MaxTrailers = 16;

    private readonly Stream _inner;
    private readonly ChunkSigner? _signer;
    private readonly bool _trailers;
    private readonly long _decodedLength;
    private readonly byte[] _buffer = new byte[8192];
    private readonly Dictionary<string, string> _trailerValues = new(StringComparer.OrdinalIgnoreCase);
    private readonly IncrementalHash? _chunkHash;
    private int _start;
    private int _end;
    private long _chunkLeft;
    private string? _chunkSignature;
    private long _decoded;
    private bool _done;

    public AwsChunkedStream(Stream inner, ChunkSigner? signer, bool trailers, long decodedLength)
    {
        _inner = inner;
        _signer = signer;
        _trailers = trailers;
        _decodedLength = decodedLength;
        _chunkHash = signer is null ? null : IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    }

    /// <summary>The trailer values (x-amz-checksum-…), known once the body has been read to its end.</summary>
    public string? Trailer(string name) => _trailerValues.GetValueOrDefault(name);

    public override int Read(Span<byte> buffer)
    {
        var rented = new byte[buffer.Length];
        var read = ReadAsync(rented).AsTask().GetAwaiter().GetResult();
        rented.AsSpan(0, read).CopyTo(buffer);
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_done || buffer.Length == 0)
        {
            return 0;
        }

        if (_chunkLeft == 0)
        {
            await StartChunkAsync(cancellationToken);
            if (_done)
            {
                return 0;
            }
        }

        var want = (int)Math.Min(buffer.Length, _chunkLeft);
        int read;
        if (_start < _end)
        {
            read = Math.Min(want, _end - _start);
            _buffer.AsSpan(_start, read).CopyTo(buffer.Span);
            _start += read;
        }
        else
        {
            read = await _inner.ReadAsync(buffer[..want], cancellationToken);
            if (read == 0)
            {
                throw ObjectStoreErrors.IncompleteBody("The aws-chunked body ended inside a chunk.");
            }
        }

        _chunkHash?.AppendData(buffer.Span[..read]);
        _chunkLeft -= read;
        _decoded += read;
        if (_chunkLeft == 0)
        {
            await ExpectLineEndAsync(cancellationToken);
            VerifyChunk();
        }

        return read;
    }

    private async Task StartChunkAsync(CancellationToken cancellationToken)
    {
        var header = await ReadLineAsync(cancellationToken);
        var semicolon = header.IndexOf(';', StringComparison.Ordinal);
        var sizeText = semicolon < 0 ? header : header[..semicolon];
        if (sizeText.Length is 0 or > 8 || !long.TryParse(sizeText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size))
        {
            throw Malformed($"'{Truncate(header)}' is not an aws-chunked chunk header.");
        }

        if (size > MaxChunkSize)
        {
            throw ObjectStoreErrors.InvalidRequest($"An aws-chunked chunk may be at most {MaxChunkSize} bytes.");
        }

        _chunkSignature = null;
        if (_signer is not null)
        {
            const string Extension = "chunk-signature=";
            var extension = semicolon < 0 ? "" : header[(semicolon + 1)..];
            if (!extension.StartsWith(Extension, StringComparison.Ordinal))
            {
                throw Malformed("A signed aws-chunked chunk has no chunk-signature.");
            }

            _chunkSignature = extension[Extension.Length..];
        }

        _chunkLeft = size;
        if (size > 0)
        {
            return;
        }

        VerifyChunk();
        if (_trailers)
        {
            await ReadTrailersAsync(cancellationToken);
        }
        else
        {
            await ExpectLineEndAsync(cancellationToken);
        }

        if (_decoded != _decodedLength)
        {
            throw ObjectStoreErrors.IncompleteBody($"The body decoded to {_decoded} bytes, but x-amz-decoded-content-length is {_decodedLength}.");
        }

        _done = true;
    }

    private void VerifyChunk()
    {
        if (_signer is null)
        {
            return;
        }

        if (!_signer.VerifyChunk(_chunkHash!.GetHashAndReset(), _chunkSignature!))
        {
            throw SignatureMismatch("chunk");
        }
    }

    private async Task ReadTrailersAsync(CancellationToken cancellationToken)
    {
        var canonical = new StringBuilder();
        string? signature = null;
        for (var count = 0; ; count++)
        {
            var line = await ReadLineAsync(cancellationToken);
            if (line.Length == 0)
            {
                break;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || count >= MaxTrailers)
            {
                throw Malformed("The aws-chunked trailer is not a list of name:value lines.");
            }

            var name = line[..colon].Trim().ToLowerInvariant();
            var value = line[(colon + 1)..].Trim();
            if (name == "x-amz-trailer-signature")
            {
                signature = value;
                continue;
            }

            _trailerValues[name] = value;
            canonical.Append(name).Append(':').Append(value).Append('\n');
        }

        if (_signer is not null && (signature is null || !_signer.VerifyTrailer(canonical.ToString(), signature)))
        {
            throw SignatureMismatch("trailer");
        }
    }

    private async Task ExpectLineEndAsync(CancellationToken cancellationToken)
    {
        if ((await ReadLineAsync(cancellationToken)).Length != 0)
        {
            throw Malformed("An aws-chunked chunk is longer than its declared size.");
        }
    }

    /// <summary>Reads one CRLF-terminated line of framing, of at most <see cref="MaxLine"/> bytes.</summary>
    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        while (true)
        {
            if (_start == _end)
            {
                _start = 0;
                _end = await _inner.ReadAsync(_buffer, cancellationToken);
                if (_end == 0)
                {
                    throw ObjectStoreErrors.IncompleteBody("The aws-chunked body ended before its final chunk.");
                }
            }

            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            var stop = newline < 0 ? _end : newline;
            line.Append(Encoding.ASCII.GetString(_buffer, _start, stop - _start));
            _start = newline < 0 ? _end : newline + 1;
            if (line.Length > MaxLine)
            {
                throw Malformed("An aws-chunked header line is too long.");
            }

            if (newline >= 0)
            {
                if (line.Length == 0 || line[^1] != '\r')
                {
                    throw Malformed("aws-chunked lines end with CRLF.");
                }

                return line.ToString(0, line.Length - 1);
            }
        }
    }

    private static string Truncate(string text) => text.Length > 40 ? text[..40] + "…" : text;

    private static ObjectStoreException Malformed(string message) => ObjectStoreErrors.InvalidRequest(message);

    private static ObjectStoreException SignatureMismatch(string what) =>
        new("SignatureDoesNotMatch", $"The {what} signature we calculated does not match the signature you provided.", 403);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _chunkHash?.Dispose();
        }

        base.Dispose(disposing);
    }
}
