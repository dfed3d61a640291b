using System.Text.RegularExpressions;

namespace AmiVault.Tasks;

/// <summary>
/// What a task's failure reason may say of a failure on the server's own disk. A reason is shown to the account (by
/// DescribeStoreImageTasks, an image's state reason), and a system message names the server's files ("Could not find
/// a part of the path '/var/lib/amivault/buckets/…'"): the cause is kept, the path never.
/// </summary>
internal static partial class ServerFailureText
{
    public static string Of(IOException e) => e switch
    {
        DirectoryNotFoundException or FileNotFoundException => "a file or folder of the server's data was missing (deleted during the task)",
        _ => Paths().Replace(e.Message, "").TrimEnd(' ', ':', '.'),
    };

    /// <summary>An absolute path, quoted or not, with what joins it to the message (" : '/x/y'", " '/x/y'").</summary>
    [GeneratedRegex(@"\s*:?\s*(?:'/[^']*'|(?<=\s)/\S*)")]
    private static partial Regex Paths();
}
