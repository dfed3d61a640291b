namespace AmiVault.ObjectStore.Embedded;

/// <summary>An object's data went away between reading its metadata and opening its files: it was just replaced.</summary>
internal sealed class ObjectChangedException(Exception inner) : Exception("The object changed while it was being opened.", inner);
