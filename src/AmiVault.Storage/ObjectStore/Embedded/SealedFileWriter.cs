using System.Buffers;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace AmiVault.ObjectStore.Embedded;

/// <summary>
/// Writes plaintext into a data file as sealed frames (<see cref="IFrameSeal"/>: encrypted when there is a master
/// key, checksummed otherwise), hashing MD5 as it goes. Each call writes whole frames with one system call, and
/// every few MiB asks the kernel to start writing back what came before.
/// </summary>
internal sealed class SealedFileWriter : IDisposable
{
    /// <summary>The most plaintext one <see cref="Write"/> takes.</summary>
    public const int MaxWrite = 16 * SegmentFrames.FrameSize;

    private const long WritebackStep = 8L * 1024 * 1024;

    private readonly SafeFileHandle _handle;
    private readonly IFrameSeal _seal;
    private readonly IncrementalHash _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
    private readonly byte[] _stored = ArrayPool<byte>.Shared.Rent(MaxWrite / SegmentFrames.FrameSize * (SegmentFrames.FrameSize + SegmentFrames.MaxTagSize));
    private long _position;
    private long _frameIndex;
    private long _writtenBack;
    private bool _ended;

    public SealedFileWriter(SafeFileHandle handle, byte[]? masterKey)
    {
        _handle = handle;
        byte[] header;
        if (masterKey is null)
        {
            _seal = SegmentChecksum.Instance;
            header = SegmentChecksum.Header();
        }
        else
        {
            _seal = SegmentCipher.CreateForWrite(masterKey, out header);
        }

        RandomAccess.Write(handle, header, 0);
        _position = header.Length;
    }

    /// <summary>
    /// Appends <paramref name="plain"/>, which must be whole frames unless it is the <paramref name="last"/> write.
    /// The last write may be empty (an empty object still has its one sealed frame).
    /// </summary>
    public void Write(ReadOnlySpan<byte> plain, bool last)
    {
        if (_ended || plain.Length > MaxWrite || (!last && plain.Length % SegmentFrames.FrameSize != 0))
        {
            throw new InvalidOperationException("Sealed frames are written whole, in order, up to the last one.");
        }

        _md5.AppendData(plain);
        var length = 0;
        var offset = 0;
        do
        {
            var count = Math.Min(SegmentFrames.FrameSize, plain.Length - offset);
            var isLast = last && offset + count == plain.Length;
            _seal.Seal(_frameIndex++, isLast, plain.Slice(offset, count), _stored.AsSpan(length, count + _seal.TagSize));
            length += count + _seal.TagSize;
            offset += count;
        }
        while (offset < plain.Length);

        RandomAccess.Write(_handle, _stored.AsSpan(0, length), _position);
        _position += length;
        _ended = last;
        if (_position - _writtenBack >= WritebackStep)
        {
            IO.DurableFile.StartWriteback(_handle, _writtenBack, _position - _writtenBack);
            _writtenBack = _position;
        }
    }

    /// <summary>The MD5 of all the plaintext written.</summary>
    public byte[] Md5() => _ended ? _md5.GetHashAndReset() : throw new InvalidOperationException("The last frame has not been written.");

    public void Dispose()
    {
        _md5.Dispose();
        _seal.Dispose();
        ArrayPool<byte>.Shared.Return(_stored);
    }
}
