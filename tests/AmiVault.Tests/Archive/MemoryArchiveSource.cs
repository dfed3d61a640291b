using AmiVault.Archive;

namespace AmiVault.Tests.Archive;

/// <summary>An archive held in memory, as an S3 object would serve it: exact ranged reads, end of object enforced.</summary>
internal sealed class MemoryArchiveSource(byte[] bytes) : IArchiveSource
{
    public long Length => bytes.Length;

    public ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (offset < 0 || offset + buffer.Length > bytes.Length)
        {
            throw new EndOfStreamException($"Read of {buffer.Length} bytes at {offset} past the end ({bytes.Length}).");
        }

        bytes.AsMemory((int)offset, buffer.Length).CopyTo(buffer);
        return ValueTask.CompletedTask;
    }
}
