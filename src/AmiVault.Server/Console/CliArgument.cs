namespace AmiVault.Console;

/// <summary>One option of an AWS CLI command and its values (none for a switch such as --dry-run; several for a list).</summary>
internal readonly record struct CliArgument(string Flag, IReadOnlyList<string> Values)
{
    public static implicit operator CliArgument((string Flag, string? Value) argument) =>
        new(argument.Flag, argument.Value is null ? [] : [argument.Value]);
}
