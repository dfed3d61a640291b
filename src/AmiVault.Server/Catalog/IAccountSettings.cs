namespace AmiVault.Catalog;

/// <summary>Per-account settings (EBS encryption by default).</summary>
internal interface IAccountSettings
{
    Task<bool> GetEncryptionByDefaultAsync(string accountId, CancellationToken cancellationToken = default);

    Task SetEncryptionByDefaultAsync(string accountId, bool enabled, CancellationToken cancellationToken = default);
}
