using AmiVault.ObjectStore;

namespace AmiVault.Tasks;

/// <summary>
/// A forward-only stream whose bytes become the parts of one multipart upload, several parts in flight, so an archive
/// is uploaded while it is produced. Each part is gathered in a temporary file of its own (in the page cache, deleted
/// on close) rather than in memory: a 1 TB image needs parts of over 100 MiB, and the server's memory stays the same
/// whatever the part size. The upload is completed by <see cref="CompleteAsync"/>; disposing without completing
/// cancels the parts in flight and waits for them, so the caller's abort that follows cannot race a late part.
/// </summary>
internal sealed class MultipartUploadStream : Stream
{
    public const int MaxParts = 10_000;
    public const int MaxInFlight = 4;
    private const int MinPartSize = 8 << 20;
    private const long MaxPartSize = 5L << 30;

    private readonly IObjectStore _store;
    private readonly string _bucket;
    private readonly string _key;
    private readonly string _uploadId;
    private readonly long _partSize;
    private readonly string _spoolDir;
    private readonly SemaphoreSlim _slots = new(MaxInFlight, MaxInFlight);
    private readonly List<Task<PartInfo>> _uploads = [];
    private readonly CancellationTokenSource _cancel;
    private FileStream? _current;
    private long _filled;
    private long _written;
    private bool _completed;

    public MultipartUploadStream(IObjectStore store, string bucket, string key, string uploadId, long partSize, string spoolDir, CancellationToken cancellationToken)
    {
        _store = store;
        _bucket = bucket;
        _key = key;
        _uploadId = uploadId;
        _partSize = partSize;
        _spoolDir = spoolDir;
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Directory.CreateDirectory(spoolDir);
    }

    /// <summary>
    /// The part size that fits <paramref name="maxBytes"/> (an upper bound of the object's size, incompressible data
    /// included) in 10,000 parts: at least 8 MiB, in whole MiB.
    /// </summary>
    public static long ChoosePartSize(long maxBytes)
    {
        var perPart = (maxBytes + MaxParts - 1) / MaxParts;
        var mib = (perPart + (1 << 20) - 1) >> 20;
        var size = Math.Max(MinPartSize, mib << 20);
        return size <= MaxPartSize ? size : throw new ArgumentOutOfRangeException(nameof(maxBytes), maxBytes, "No part size fits this object in 10,000 parts.");
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
            var part = _current ??= OpenPartFile();
            var take = (int)Math.Min(buffer.Length, _partSize - _filled);
            await part.WriteAsync(buffer[..take], cancellationToken);
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
        if (_current is not null || _uploads.Count == 0)
        {
            _current ??= OpenPartFile();
            await StartPartAsync();
        }

        var parts = await Task.WhenAll(_uploads);
        var info = await _store.CompleteMultipartUploadAsync(_bucket, _key, _uploadId,
            [.. parts.Select(p => new CompletedPart(p.PartNumber, p.ETag))], cancellationToken: _cancel.Token);
        _completed = true;
        return info;
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        if (!_completed)
        {
            await _cancel.CancelAsync();
        }

        foreach (var upload in _uploads)
        {
            await upload.ContinueWith(_ => { }, TaskScheduler.Default);
        }

        if (_current is not null)
        {
            await _current.DisposeAsync();
            _current = null;
        }

        _cancel.Dispose();
        _slots.Dispose();
        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _current is not null)
        {
            _current.Dispose();
            _current = null;
        }

        base.Dispose(disposing);
    }

    private FileStream OpenPartFile() => new(
        Path.Combine(_spoolDir, $"{_uploadId}-{_uploads.Count + 1:D5}"),
        FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);

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

        await _slots.WaitAsync(_cancel.Token);
        var part = _current!;
        var length = _filled;
        _current = null;
        _filled = 0;
        await part.FlushAsync(_cancel.Token);
        part.Position = 0;
        // On the thread pool: a store may do blocking work (fsync) before its first await.
        _uploads.Add(Task.Run(() => UploadAsync(partNumber, part, length)));
    }

    private async Task<PartInfo> UploadAsync(int partNumber, FileStream part, long length)
    {
        try
        {
            return await _store.UploadPartAsync(_bucket, _key, _uploadId, partNumber, part, length, cancellationToken: _cancel.Token);
        }
        finally
        {
            await part.DisposeAsync();
            _slots.Release();
        }
    }
}
