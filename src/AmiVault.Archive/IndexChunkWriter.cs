using System.Buffers;
using System.Security.Cryptography;

namespace AmiVault.Archive;

/// <summary>Serializes the index through one pooled buffer, so writing it costs no memory beyond the index itself.</summary>
internal sealed class IndexChunkWriter(Stream output, IncrementalHash digest) : IDisposable
{
    private const int ChunkLength = 64 * 1024;

    private readonly byte[] _buffer = ArrayPool<byte>.Shared.Rent(ChunkLength);
    private int _used;

    public Span<byte> Reserve(int length)
    {
        var span = _buffer.AsSpan(_used, length);
        _used += length;
        return span;
    }

    /// <summary>Flushes when the next entry might not fit; entries are far smaller than the margin kept.</summary>
    public ValueTask FlushIfFullAsync(CancellationToken cancellationToken) =>
        _used > ChunkLength - 256 ? FlushAsync(cancellationToken) : ValueTask.CompletedTask;

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        digest.AppendData(_buffer, 0, _used);
        await output.WriteAsync(_buffer.AsMemory(0, _used), cancellationToken);
        _used = 0;
    }

    public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);
}
