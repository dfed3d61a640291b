namespace AmiVault.Console;

/// <summary>One embedded file: where it is served (<see cref="Path"/> under /console), the versioned URL pages link to.</summary>
internal sealed record ConsoleAsset(string Path, string Url, string ContentType, byte[] Content);
