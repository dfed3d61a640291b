namespace AmiVault.Archive;

public sealed record ArchivedTag(string Key, string Value);
