using Microsoft.Win32.SafeHandles;

namespace AmiVault.Archive;

/// <summary>An archive in a local file, read with positional reads (safe to use concurrently).</summary>
public sealed class FileArchiveSource : IArchiveSource, IDisposable
{
    private readonly SafeFileHandle _handle;

    public FileArchiveSource(string path)
    {
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous);
        Length = RandomAccess.GetLength(_handle);
    }

    public long Length { get; }

    public async ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (buffer.Length > 0)
        {
            var read = await RandomAccess.ReadAsync(_handle, buffer, offset, cancellationToken);
            if (read == 0)
            {
                throw new EndOfStreamException($"The file ends before offset {offset}.");
            }

            offset += read;
            buffer = buffer[read..];
        }
    }

    public void Dispose() => _handle.Dispose();
}
