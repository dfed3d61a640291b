using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace AmiVault.ObjectStore.Embedded;

/// <summary>
/// Reads a range of an object stored as one or more data files, checking (and decrypting) only the frames the range
/// touches. Every file the range needs is opened up front, so the read sees the object as it was when it began even
/// if it is replaced or deleted meanwhile. A frame that fails its check ends the read with
/// <see cref="ObjectStoreErrors.StoredDataCorrupt"/> before any of its bytes are passed on. Files written before
/// plain data was checksummed (<see cref="SegmentRecord.Checksummed"/> false) are read as they are.
/// </summary>
internal sealed class ObjectReadStream : ReadOnlyStream
{
    private readonly IReadOnlyList<(string Path, long Length, bool Checksummed)> _segments;
    private readonly byte[]? _masterKey;
    private long _remaining;
    private int _segment = -1;
    private long _segmentOffset;
    private readonly SafeFileHandle?[] _handles;
    private SafeFileHandle? _handle;
    private IFrameSeal? _seal;
    private byte[]? _frame;
    private byte[]? _sealedFrame;
    private int _frameStart;
    private int _frameEnd;

    public ObjectReadStream(IReadOnlyList<(string Path, long Length, bool Checksummed)> segments, byte[]? masterKey, long offset, long length)
    {
        _segments = segments;
        _masterKey = masterKey;
        _remaining = length;
        var skip = offset;
        var index = 0;
        while (index < segments.Count - 1 && skip >= segments[index].Length)
        {
            skip -= segments[index].Length;
            index++;
        }

        _handles = new SafeFileHandle?[segments.Count];
        if (length <= 0)
        {
            return;
        }

        try
        {
            for (var (i, covered) = (index, -skip); i < segments.Count && covered < length; covered += segments[i].Length, i++)
            {
                _handles[i] = File.OpenHandle(segments[i].Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.Asynchronous);
            }
        }
        catch (FileNotFoundException e)
        {
            Dispose();
            throw new ObjectChangedException(e);
        }

        Open(index, skip);
    }

    public override int Read(Span<byte> buffer)
    {
        var rented = ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            var read = ReadCoreAsync(rented.AsMemory(0, buffer.Length), async: false, CancellationToken.None).AsTask().GetAwaiter().GetResult();
            rented.AsSpan(0, read).CopyTo(buffer);
            return read;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ReadCoreAsync(buffer, async: true, cancellationToken);

    private async ValueTask<int> ReadCoreAsync(Memory<byte> buffer, bool async, CancellationToken cancellationToken)
    {
        while (_remaining > 0 && buffer.Length > 0)
        {
            var left = _segments[_segment].Length - _segmentOffset;
            if (left == 0)
            {
                Open(_segment + 1, 0);
                continue;
            }

            var want = (int)Math.Min(Math.Min(buffer.Length, left), _remaining);
            int read;
            if (_seal is null)
            {
                read = async
                    ? await RandomAccess.ReadAsync(_handle!, buffer[..want], _segmentOffset, cancellationToken)
                    : RandomAccess.Read(_handle!, buffer.Span[..want], _segmentOffset);
                if (read == 0)
                {
                    throw ObjectStoreErrors.StoredDataCorrupt("a data file is shorter than its recorded length");
                }
            }
            else
            {
                if (_frameStart == _frameEnd)
                {
                    await LoadFrameAsync(async, cancellationToken);
                }

                read = Math.Min(want, _frameEnd - _frameStart);
                _frame.AsSpan(_frameStart, read).CopyTo(buffer.Span);
                _frameStart += read;
            }

            _segmentOffset += read;
            _remaining -= read;
            return read;
        }

        return 0;
    }

    private void Open(int index, long offset)
    {
        CloseSegment();
        _segment = index;
        _segmentOffset = offset;
        _handle = _handles[index] ?? throw new InvalidOperationException("A read went past the range it opened.");
        _handles[index] = null;

        var encrypted = _masterKey is not null;
        if (encrypted || _segments[index].Checksummed)
        {
            Span<byte> header = stackalloc byte[encrypted ? SegmentCipher.Size : SegmentChecksum.Instance.HeaderSize];
            if (RandomAccess.Read(_handle, header, 0) != header.Length)
            {
                throw ObjectStoreErrors.StoredDataCorrupt("a data file has no header");
            }

            if (encrypted)
            {
                _seal = SegmentCipher.FromHeader(_masterKey!, header);
            }
            else
            {
                SegmentChecksum.CheckHeader(header);
                _seal = SegmentChecksum.Instance;
            }

            _frame ??= ArrayPool<byte>.Shared.Rent(SegmentFrames.FrameSize);
            _sealedFrame ??= ArrayPool<byte>.Shared.Rent(SegmentFrames.FrameSize + SegmentFrames.MaxTagSize);
            _frameStart = _frameEnd = 0;
        }
    }

    /// <summary>Checks (and decrypts) the frame holding the current offset, positioned at that offset within it.</summary>
    private async ValueTask LoadFrameAsync(bool async, CancellationToken cancellationToken)
    {
        var length = _segments[_segment].Length;
        var index = _segmentOffset / SegmentFrames.FrameSize;
        var last = index == SegmentFrames.FrameCount(length) - 1;
        var plainLength = (int)Math.Min(SegmentFrames.FrameSize, length - (index * SegmentFrames.FrameSize));
        var sealedLength = plainLength + _seal!.TagSize;
        var position = SegmentFrames.FrameOffset(_seal, index);
        var filled = 0;
        while (filled < sealedLength)
        {
            var read = async
                ? await RandomAccess.ReadAsync(_handle!, _sealedFrame.AsMemory(filled, sealedLength - filled), position + filled, cancellationToken)
                : RandomAccess.Read(_handle!, _sealedFrame.AsSpan(filled, sealedLength - filled), position + filled);
            if (read == 0)
            {
                throw ObjectStoreErrors.StoredDataCorrupt("a data file is shorter than its recorded length");
            }

            filled += read;
        }

        _seal.Open(index, last, _sealedFrame.AsSpan(0, sealedLength), _frame);
        _frameStart = (int)(_segmentOffset - (index * SegmentFrames.FrameSize));
        _frameEnd = plainLength;
    }

    private void CloseSegment()
    {
        _handle?.Dispose();
        _handle = null;
        _seal?.Dispose();
        _seal = null;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            CloseSegment();
            foreach (var handle in _handles)
            {
                handle?.Dispose();
            }

            if (_frame is not null)
            {
                ArrayPool<byte>.Shared.Return(_frame);
                _frame = null;
            }

            if (_sealedFrame is not null)
            {
                ArrayPool<byte>.Shared.Return(_sealedFrame);
                _sealedFrame = null;
            }
        }

        base.Dispose(disposing);
    }
}
