namespace AmiVault.Cli.Common;

/// <summary>An alias after <see cref="ImageAliases.PointAsync"/>: its name, its latest version, and whether the call wrote that version.</summary>
internal sealed record AliasUpdate(string Name, long Version, bool Changed);
