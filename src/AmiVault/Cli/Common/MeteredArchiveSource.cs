using AmiVault.Archive;

namespace AmiVault.Cli.Common;

/// <summary>An archive source that counts its reads and bytes (inspect shows how little it read; verify shows progress).</summary>
internal sealed class MeteredArchiveSource(IArchiveSource inner, Action<long>? progress = null) : IArchiveSource
{
    private long _reads;
    private long _bytes;

    public long Length => inner.Length;

    public long Reads => Interlocked.Read(ref _reads);

    public long BytesRead => Interlocked.Read(ref _bytes);

    public async ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        await inner.ReadAsync(offset, buffer, cancellationToken);
        Interlocked.Increment(ref _reads);
        Interlocked.Add(ref _bytes, buffer.Length);
        progress?.Invoke(buffer.Length);
    }
}
