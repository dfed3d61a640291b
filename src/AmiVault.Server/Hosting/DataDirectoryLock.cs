using System.Globalization;

namespace AmiVault.Hosting;

/// <summary>
/// A data folder has one owner: the server holds an exclusive OS lock (flock, taken by opening the lock file with
/// FileShare.None) for as long as it runs. The kernel drops the lock when the process ends however it ends, so a
/// kill -9 never leaves a stale lock. The holder's process id is written beside it for the refusal's message: the lock
/// file itself cannot be read by another process while it is held.
/// </summary>
internal sealed class DataDirectoryLock : IDisposable
{
    private const string LockFile = "amivault.lock";
    private const string HolderFile = "amivault.lock.pid";

    private readonly FileStream _lock;
    private readonly string _holderPath;

    private DataDirectoryLock(FileStream held, string holderPath)
    {
        _lock = held;
        _holderPath = holderPath;
    }

    /// <summary>Takes the folder's lock before anything else in it is read or written; refuses when another process holds it.</summary>
    public static DataDirectoryLock Acquire(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        var holderPath = Path.Combine(dataDir, HolderFile);
        FileStream held;
        try
        {
            held = new FileStream(Path.Combine(dataDir, LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException and not PathTooLongException)
        {
            var holder = Holder(holderPath);
            throw new ServerStartException(
                $"The data folder {dataDir} is in use by another AmiVault server{(holder is null ? "" : $" (process {holder})")}. " +
                "A data folder has one server: stop that one, or give this one another folder with --data-dir.", e);
        }

        File.WriteAllText(holderPath, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        return new DataDirectoryLock(held, holderPath);
    }

    public void Dispose()
    {
        File.Delete(_holderPath);
        _lock.Dispose();
    }

    private static string? Holder(string holderPath)
    {
        try
        {
            var text = File.ReadAllText(holderPath).Trim();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? text : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
