namespace AmiVault.Blocks;

/// <summary>A pack file is not there (removed by compaction after its blocks moved, or lost).</summary>
internal sealed class PackGoneException(string path) : IOException($"The pack '{path}' does not exist.");
