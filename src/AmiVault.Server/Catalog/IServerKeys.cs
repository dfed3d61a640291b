namespace AmiVault.Catalog;

/// <summary>
/// The server's own secrets (the HMAC keys of EC2 page tokens and EBS block tokens), one per name, created on first
/// use and the same for every process that serves the catalog: a token one node issues, every node accepts.
/// </summary>
internal interface IServerKeys
{
    /// <summary>The 32-byte key named <paramref name="name"/>; created at random when there is none yet.</summary>
    byte[] GetOrCreate(string name);
}
