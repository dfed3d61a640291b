namespace AmiVault.Cli.Common;

/// <summary>The AWS CLI's --output formats.</summary>
internal enum OutputFormat
{
    Json,
    Text,
    Table,
}
