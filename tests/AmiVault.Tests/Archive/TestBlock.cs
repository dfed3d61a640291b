namespace AmiVault.Tests.Archive;

/// <summary>A written block of a test snapshot; <paramref name="KnownZero"/> ones go through WriteZeroBlockAsync.</summary>
internal sealed record TestBlock(long Index, byte[] Data, bool KnownZero = false);
