using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace AmiVault.IO;

/// <summary>
/// Where a sparse file holds data, from lseek(SEEK_DATA/SEEK_HOLE): a raw disk image of 100 GiB with 3 GiB written
/// is read as 3 GiB. Holes read as zeros. Where the file system cannot tell, the whole file counts as data.
/// </summary>
internal static class SparseFile
{
    private const int SeekData = 3;
    private const int SeekHole = 4;
    private const int NoSuchAddress = 6; // ENXIO: no data at or after the offset

    /// <summary>The ranges holding data (allocated extents, rounded by the file system to its blocks), in order.</summary>
    public static IEnumerable<(long Offset, long Length)> DataRanges(SafeFileHandle handle, long length)
    {
        if (OperatingSystem.IsWindows())
        {
            yield return (0, length);
            yield break;
        }

        var offset = 0L;
        while (offset < length)
        {
            var data = Seek(handle, offset, SeekData);
            if (data < 0)
            {
                if (Marshal.GetLastPInvokeError() == NoSuchAddress)
                {
                    yield break;
                }

                // No SEEK_DATA here (an old file system, a pipe): assume everything is data.
                yield return (offset, length - offset);
                yield break;
            }

            var hole = Seek(handle, data, SeekHole);
            var end = hole < 0 ? length : Math.Min(hole, length);
            if (end > data)
            {
                yield return (data, end - data);
            }

            offset = end;
        }
    }

    /// <summary>Bytes of the file that are allocated (what `du` counts), from the ranges holding data.</summary>
    public static long AllocatedBytes(string path)
    {
        using var handle = File.OpenHandle(path);
        return DataRanges(handle, RandomAccess.GetLength(handle)).Sum(r => r.Length);
    }

    /// <summary>
    /// Whether two files hold the same bytes, reading only where either has data: two sparse disk images of 1 TiB
    /// with a few GiB written compare in the time those GiB take.
    /// </summary>
    public static async Task<bool> SameContentAsync(string first, string second, CancellationToken cancellationToken = default)
    {
        using var a = File.OpenHandle(first, options: FileOptions.Asynchronous);
        using var b = File.OpenHandle(second, options: FileOptions.Asynchronous);
        var length = RandomAccess.GetLength(a);
        if (RandomAccess.GetLength(b) != length)
        {
            return false;
        }

        var left = new byte[1 << 20];
        var right = new byte[1 << 20];
        foreach (var (offset, size) in Union(DataRanges(a, length), DataRanges(b, length)))
        {
            for (var done = 0L; done < size;)
            {
                var chunk = (int)Math.Min(left.Length, size - done);
                await ReadExactlyAsync(a, left.AsMemory(0, chunk), offset + done, cancellationToken);
                await ReadExactlyAsync(b, right.AsMemory(0, chunk), offset + done, cancellationToken);
                if (!left.AsSpan(0, chunk).SequenceEqual(right.AsSpan(0, chunk)))
                {
                    return false;
                }

                done += chunk;
            }
        }

        return true;
    }

    /// <summary>The union of two ordered lists of ranges, as ordered non-overlapping ranges.</summary>
    private static IEnumerable<(long Offset, long Length)> Union(IEnumerable<(long Offset, long Length)> first, IEnumerable<(long Offset, long Length)> second)
    {
        long start = -1, end = -1;
        foreach (var (offset, length) in first.Concat(second).OrderBy(r => r.Offset))
        {
            if (offset > end)
            {
                if (end > start)
                {
                    yield return (start, end - start);
                }

                start = offset;
            }

            end = Math.Max(end, offset + length);
        }

        if (end > start)
        {
            yield return (start, end - start);
        }
    }

    private static async Task ReadExactlyAsync(SafeFileHandle handle, Memory<byte> buffer, long offset, CancellationToken cancellationToken)
    {
        while (!buffer.IsEmpty)
        {
            var read = await RandomAccess.ReadAsync(handle, buffer, offset, cancellationToken);
            if (read == 0)
            {
                throw new EndOfStreamException($"The file ends before offset {offset}.");
            }

            buffer = buffer[read..];
            offset += read;
        }
    }

    private static long Seek(SafeFileHandle handle, long offset, int whence)
    {
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return LSeek((int)handle.DangerousGetHandle(), offset, whence);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    // DllImport rather than LibraryImport, as in DurableFile: the source-generated form needs /unsafe.
    [DllImport("libc", EntryPoint = "lseek", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern long LSeek(int fd, long offset, int whence);
}
