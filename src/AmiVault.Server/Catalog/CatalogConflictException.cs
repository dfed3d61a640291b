namespace AmiVault.Catalog;

/// <summary>A write refused because it would break a uniqueness rule (an image name, a client token).</summary>
internal sealed class CatalogConflictException(string message) : Exception(message);
