using System.Text.RegularExpressions;

namespace AmiVault.Tasks;

/// <summary>
/// What a task's failure reason may say of a failure on the server's own disk. A reason is shown to the account (by
/// DescribeStoreImageTasks, an image's state reason), and a system message names the server's files ("Could not find
/// a part of the path '/var/lib/amivault/buckets/…'"): the cause is kept, the path never.
/// </summary>
internal static partial class ServerFailureText
{
    /// <summary>What the account is told when the server's own disk is full, whatever part of it noticed.</summary>
    public const string DiskFull = "no space left on the server";

    public static string Of(IOException e) => e switch
    {
        _ when IsDiskFull(e) => DiskFull,
        DirectoryNotFoundException or FileNotFoundException => "a file or folder of the server's data was missing (deleted during the task)",
        _ => Paths().Replace(e.Message, "").TrimEnd(' ', ':', '.'),
    };

    /// <summary>
    /// Whether <paramref name="e"/> (or what caused it) is the server's disk being full: ENOSPC from a file write
    /// (.NET keeps the errno as the HResult on Unix) or SQLite's "database or disk is full".
    /// </summary>
    public static bool IsDiskFull(Exception e)
    {
        for (Exception? cause = e; cause is not null; cause = cause.InnerException)
        {
            if ((cause is IOException && (cause.HResult == NoSpaceErrno || cause.Message.Contains("No space left on device", StringComparison.Ordinal)))
                || cause.Message.Contains("database or disk is full", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private const int NoSpaceErrno = 28;

    /// <summary>An absolute path, quoted or not, with what joins it to the message (" : '/x/y'", " '/x/y'").</summary>
    [GeneratedRegex(@"\s*:?\s*(?:'/[^']*'|(?<=\s)/\S*)")]
    private static partial Regex Paths();
}
