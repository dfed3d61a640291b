using System.Buffers;
using System.Security.Cryptography;
using AmiVault.ObjectStore;

namespace AmiVault.Tasks;

/// <summary>
/// A forward-only stream whose bytes become the parts of one multipart upload, several parts in flight, so an archive
/// can be uploaded while it is produced. Memory is bounded: a part being filled plus the parts in flight.
/// The upload is completed by <see cref="CompleteAsync"/>; the caller aborts it on any failure.
/// </summary>
internal sealed class MultipartUploadStream : Stream
{
    public const int MaxParts = 10_000;
    private const int MinPartSize = 8 << 20;
    private const long InFlightBudget = 96L << 20;

    private readonly IObjectStore _store;
    private readonly string _bucket;
    private readonly string _key;
    private readonly string _uploadId;
    private readonly int _partSize;
    private readonly bool _sendMd5;
    private readonly SemaphoreSlim _slots;
    private readonly List<Task<PartInfo>> _uploads = [];
    private readonly CancellationToken _cancellationToken;
    private byte[] _current;
    private int _filled;
    private long _written;

    public MultipartUploadStream(IObjectStore store, string bucket, string key, string uploadId, int partSize, bool sendMd5, CancellationToken cancellationToken)
    {
        _store = store;
        _bucket = bucket;
        _key = key;
        _uploadId = uploadId;
        _partSize = partSize;
        _sendMd5 = sendMd5;
        _cancellationToken = cancellationToken;
        MaxInFlight = (int)Math.Clamp(InFlightBudget / partSize, 1, 4);
        _slots = new SemaphoreSlim(MaxInFlight, MaxInFlight);
        _current = ArrayPool<byte>.Shared.Rent(partSize);
    }

    public int MaxInFlight { get; }

    /// <summary>
    /// The part size that fits <paramref name="maxBytes"/> (an upper bound of the object's size, incompressible data
    /// included) in 10,000 parts: at least 8 MiB, in whole MiB.
    /// </summary>
    public static int ChoosePartSize(long maxBytes)
    {
        var perPart = (maxBytes + MaxParts - 1) / MaxParts;
        var mib = (perPart + (1 << 20) - 1) >> 20;
        return (int)Math.Max(MinPartSize, Math.Min(mib << 20, 1L << 30));
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _written;

    public override long Position { get => _written; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            var take = Math.Min(buffer.Length, _partSize - _filled);
            buffer.Span[..take].CopyTo(_current.AsSpan(_filled));
            _filled += take;
            _written += take;
            buffer = buffer[take..];
            if (_filled == _partSize)
            {
                await StartPartAsync();
            }
        }
    }

    /// <summary>Uploads what is left as the last part, waits for every part, and completes the upload.</summary>
    public async Task<ObjectInfo> CompleteAsync()
    {
        if (_filled > 0 || _uploads.Count == 0)
        {
            await StartPartAsync();
        }

        var parts = await Task.WhenAll(_uploads);
        return await _store.CompleteMultipartUploadAsync(_bucket, _key, _uploadId,
            [.. parts.Select(p => new CompletedPart(p.PartNumber, p.ETag))], _cancellationToken);
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && _current.Length > 0)
        {
            // Parts still uploading own their buffers; only the one being filled is returned here.
            ArrayPool<byte>.Shared.Return(_current);
            _current = [];
        }

        base.Dispose(disposing);
    }

    private async Task StartPartAsync()
    {
        var partNumber = _uploads.Count + 1;
        if (partNumber > MaxParts)
        {
            throw new InvalidOperationException($"The object outgrew {MaxParts} parts of {_partSize} bytes.");
        }

        // A failed part fails the whole upload: surface it at the next part instead of after the last one.
        foreach (var failed in _uploads.Where(u => u.IsFaulted))
        {
            await failed;
        }

        await _slots.WaitAsync(_cancellationToken);
        var data = _current;
        var length = _filled;
        _current = ArrayPool<byte>.Shared.Rent(_partSize);
        _filled = 0;
        _uploads.Add(UploadAsync(partNumber, data, length));
    }

    private async Task<PartInfo> UploadAsync(int partNumber, byte[] data, int length)
    {
        try
        {
            var md5 = _sendMd5 ? MD5.HashData(data.AsSpan(0, length)) : null;
            using var content = new MemoryStream(data, 0, length, writable: false);
            return await _store.UploadPartAsync(_bucket, _key, _uploadId, partNumber, content, length, md5, _cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(data);
            _slots.Release();
        }
    }
}
