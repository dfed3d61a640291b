using System.CommandLine.Parsing;

namespace AmiVault.Cli.Common;

/// <summary>Validators for option values, so that a bad value is a usage error before anything runs.</summary>
internal static class OptionChecks
{
    public static void Between(OptionResult result, long min, long max)
    {
        var value = Convert.ToInt64(result.GetValueOrDefault<object>(), System.Globalization.CultureInfo.InvariantCulture);
        if (value < min || value > max)
        {
            result.AddError($"{result.Option.Name} must be from {min} to {max}.");
        }
    }
}
