using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace AmiVault.ObjectStore.Embedded;

/// <summary>
/// Reads a range of an object stored as one or more data files, decrypting only the frames the range touches.
/// Every file the range needs is opened up front, so the read sees the object as it was when it began even if it
/// is replaced or deleted meanwhile. A frame that fails authentication ends the read with an error.
/// </summary>
internal sealed class ObjectReadStream : ReadOnlyStream
{
    private readonly IReadOnlyList<(string Path, long Length)> _segments;
    private readonly byte[]? _masterKey;
    private long _remaining;
    private int _segment = -1;
    private long _segmentOffset;
    private readonly SafeFileHandle?[] _handles;
    private SafeFileHandle? _handle;
    private SegmentCipher? _cipher;
    private byte[]? _frame;
    private byte[]? _sealedFrame;
    private int _frameStart;
    private int _frameEnd;

    public ObjectReadStream(IReadOnlyList<(string Path, long Length)> segments, byte[]? masterKey, long offset, long length)
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
            if (_cipher is null)
            {
                read = async
                    ? await RandomAccess.ReadAsync(_handle!, buffer[..want], _segmentOffset, cancellationToken)
                    : RandomAccess.Read(_handle!, buffer.Span[..want], _segmentOffset);
                if (read == 0)
                {
                    throw new InvalidDataException("An object data file is shorter than its recorded length.");
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

        if (_masterKey is not null)
        {
            Span<byte> header = stackalloc byte[SegmentCipher.HeaderSize];
            if (RandomAccess.Read(_handle, header, 0) != header.Length)
            {
                throw new InvalidDataException("An encrypted object data file has no header.");
            }

            _cipher = SegmentCipher.FromHeader(_masterKey, header);
            _frame ??= ArrayPool<byte>.Shared.Rent(SegmentCipher.FrameSize);
            _sealedFrame ??= ArrayPool<byte>.Shared.Rent(SegmentCipher.FrameSize + SegmentCipher.TagSize);
            _frameStart = _frameEnd = 0;
        }
    }

    /// <summary>Decrypts the frame holding the current offset, positioned at that offset within it.</summary>
    private async ValueTask LoadFrameAsync(bool async, CancellationToken cancellationToken)
    {
        var length = _segments[_segment].Length;
        var index = _segmentOffset / SegmentCipher.FrameSize;
        var last = index == SegmentCipher.FrameCount(length) - 1;
        var plainLength = (int)Math.Min(SegmentCipher.FrameSize, length - (index * SegmentCipher.FrameSize));
        var sealedLength = plainLength + SegmentCipher.TagSize;
        var position = SegmentCipher.FrameOffset(index);
        var filled = 0;
        while (filled < sealedLength)
        {
            var read = async
                ? await RandomAccess.ReadAsync(_handle!, _sealedFrame.AsMemory(filled, sealedLength - filled), position + filled, cancellationToken)
                : RandomAccess.Read(_handle!, _sealedFrame.AsSpan(filled, sealedLength - filled), position + filled);
            if (read == 0)
            {
                throw new InvalidDataException("An encrypted object data file is shorter than its recorded length.");
            }

            filled += read;
        }

        _cipher!.Decrypt(index, last, _sealedFrame.AsSpan(0, sealedLength), _frame);
        _frameStart = (int)(_segmentOffset - (index * SegmentCipher.FrameSize));
        _frameEnd = plainLength;
    }

    private void CloseSegment()
    {
        _handle?.Dispose();
        _handle = null;
        _cipher?.Dispose();
        _cipher = null;
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
