using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace AmiVault.IO;

/// <summary>
/// Writes that survive a crash whole or not at all: data goes to a temporary file that is fsynced, then renamed
/// into place, then the folder holding the new name is fsynced too, because without that last step a crash can
/// forget the rename although the caller was told the file was stored.
/// </summary>
internal static class DurableFile
{
    private const int ReadOnlyCloseOnExec = 0x80000; // O_RDONLY | O_CLOEXEC (same value on x86-64 and arm64)
    private const uint SyncFileRangeWrite = 2; // SYNC_FILE_RANGE_WRITE

    /// <summary>
    /// Creates <paramref name="path"/> (which must not exist) with <paramref name="data"/> and flushes it to disk.
    /// Synchronous on purpose: fsync blocks a thread whatever the API, and .NET's async file writes on Linux are
    /// the same blocking call on a pool thread.
    /// </summary>
    public static void WriteNew(string path, ReadOnlySpan<byte> data, UnixFileMode? mode = null)
    {
        using var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.None, preallocationSize: data.Length);
        if (mode is { } m && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(handle, m); // before any byte is written, so a secret is never readable by others
        }

        RandomAccess.Write(handle, data, 0);
        RandomAccess.FlushToDisk(handle);
    }

    /// <summary>Renames a flushed temporary file over <paramref name="path"/> and makes the rename durable.</summary>
    public static void CommitRename(string tempPath, string path)
    {
        File.Move(tempPath, path, overwrite: true);
        FlushDirectory(Path.GetDirectoryName(path)!);
    }

    /// <summary>Writes a whole small file durably (temp, fsync, rename, fsync folder).</summary>
    public static void WriteAll(string path, ReadOnlySpan<byte> data, UnixFileMode? mode = null)
    {
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            WriteNew(temp, data, mode);
            CommitRename(temp, path);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Flushes a folder's entries (names created, renamed or removed in it) to disk.</summary>
    public static void FlushDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return; // NTFS journals its metadata; a folder cannot be opened for flushing there.
        }

        var fd = Open(directory, ReadOnlyCloseOnExec);
        if (fd < 0)
        {
            throw new IOException($"Cannot open folder '{directory}' to flush it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"Flushing folder '{directory}' to disk failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>
    /// Creates a folder if needed and makes its name durable in the folder that holds it. The flush is done even
    /// when the folder exists: a process that crashed after creating it may not have flushed it.
    /// </summary>
    public static void CreateDirectory(string directory)
    {
        Directory.CreateDirectory(directory);
        FlushDirectory(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(directory))!);
    }

    /// <summary>
    /// Asks the kernel to start writing a file's range back to disk now, without waiting for it: a large file written
    /// in steps is then mostly on disk by the time its fsync comes, instead of all of it waiting in the page cache.
    /// A hint only: the fsync still decides durability, so a failure here is ignored.
    /// </summary>
    public static void StartWriteback(SafeFileHandle handle, long offset, long count)
    {
        if (OperatingSystem.IsLinux())
        {
            _ = SyncFileRange((int)handle.DangerousGetHandle(), offset, count, SyncFileRangeWrite);
        }
    }

    // DllImport rather than LibraryImport: the source-generated form needs the whole project compiled with /unsafe.
    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "sync_file_range")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SyncFileRange(int fd, long offset, long count, uint flags);

    [DllImport("libc", EntryPoint = "close")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Close(int fd);
}
