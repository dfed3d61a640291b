namespace AmiVault.Console;

/// <summary>What the API would have answered instead of doing the action: its error code and message, shown as is.</summary>
internal sealed class ConsoleRefusal(string code, string message) : Exception(message)
{
    public string Code { get; } = code;

    /// <summary>EC2's answer to a DryRun that would have succeeded.</summary>
    public bool IsDryRunSuccess => Code == "DryRunOperation";
}
