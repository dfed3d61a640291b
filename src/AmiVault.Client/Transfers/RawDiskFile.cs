using AmiVault.IO;
using Microsoft.Win32.SafeHandles;
using AmiVault.Ebs;

namespace AmiVault.Transfers;

/// <summary>A raw disk image read block by block with positional reads (safe concurrently); holes are skipped unread.</summary>
internal sealed class RawDiskFile : IDisposable
{
    private readonly SafeFileHandle _handle;

    public RawDiskFile(string path)
    {
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous);
        Length = RandomAccess.GetLength(_handle);
    }

    public long Length { get; }

    public long BlockCount => (Length + EbsBlock.Size - 1) / EbsBlock.Size;

    /// <summary>The indexes of the blocks that may hold data, ascending; the others lie wholly in holes.</summary>
    public IEnumerable<long> CandidateBlocks()
    {
        var next = 0L;
        foreach (var (offset, length) in SparseFile.DataRanges(_handle, Length))
        {
            var first = Math.Max(offset / EbsBlock.Size, next);
            var last = (offset + length - 1) / EbsBlock.Size;
            for (var block = first; block <= last; block++)
            {
                yield return block;
            }

            next = Math.Max(next, last + 1);
        }
    }

    /// <summary>Reads block <paramref name="index"/> into <paramref name="block"/>; the part past the end of the file is zeros.</summary>
    public async ValueTask ReadBlockAsync(long index, Memory<byte> block, CancellationToken cancellationToken)
    {
        var offset = index * EbsBlock.Size;
        var filled = 0;
        while (filled < block.Length && offset + filled < Length)
        {
            var read = await RandomAccess.ReadAsync(_handle, block[filled..], offset + filled, cancellationToken);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        block.Span[filled..].Clear();
    }

    /// <summary>The bytes of the image that block <paramref name="index"/> covers (the last may be short).</summary>
    public long BytesIn(long index) => Math.Min(EbsBlock.Size, Length - index * EbsBlock.Size);

    public void Dispose() => _handle.Dispose();
}
