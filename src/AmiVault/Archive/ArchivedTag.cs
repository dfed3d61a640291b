namespace AmiVault.Archive;

internal sealed record ArchivedTag(string Key, string Value);
