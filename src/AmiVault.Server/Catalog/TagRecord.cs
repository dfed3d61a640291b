namespace AmiVault.Catalog;

/// <summary>A tag on an image or a snapshot (DescribeTags' unit).</summary>
internal sealed record TagRecord(string ResourceId, string ResourceType, string Key, string Value);
