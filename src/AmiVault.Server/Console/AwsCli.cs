using System.Text;
using System.Text.RegularExpressions;

namespace AmiVault.Console;

/// <summary>The AWS CLI command that does what a console page does, written out for the user to copy and learn from.</summary>
internal static partial class AwsCli
{
    /// <summary>`aws SERVICE OPERATION --endpoint-url URL` and the arguments, each value quoted for a POSIX shell when it needs to be.</summary>
    public static string Command(string endpointUrl, string service, string operation, params CliArgument[] arguments)
    {
        var text = new StringBuilder("aws ").Append(service).Append(' ').Append(operation).Append(" --endpoint-url ").Append(endpointUrl);
        foreach (var argument in arguments)
        {
            text.Append(' ').Append(argument.Flag);
            foreach (var value in argument.Values)
            {
                text.Append(' ').Append(Quote(value));
            }
        }

        return text.ToString();
    }

    public static string Quote(string value) =>
        value.Length > 0 && Plain().IsMatch(value) ? value : "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    [GeneratedRegex("^[A-Za-z0-9_./:=,@%+-]+$")]
    private static partial Regex Plain();
}
