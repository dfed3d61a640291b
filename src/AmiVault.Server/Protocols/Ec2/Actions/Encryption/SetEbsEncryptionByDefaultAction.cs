using AmiVault.Catalog;

namespace AmiVault.Protocols.Ec2.Actions.Encryption;

/// <summary>
/// EnableEbsEncryptionByDefault and DisableEbsEncryptionByDefault: one class registered twice, as the two actions
/// differ only in the value they set. Both answer the setting now in force.
/// </summary>
internal sealed class SetEbsEncryptionByDefaultAction(IAccountSettings settings, bool enable) : IEc2Action
{
    public string Name => enable ? "EnableEbsEncryptionByDefault" : "DisableEbsEncryptionByDefault";

    public async Task ExecuteAsync(Ec2Call call)
    {
        call.EndIfDryRun();
        await settings.SetEncryptionByDefaultAsync(call.AccountId, enable, call.Aborted);
        await call.RespondAsync(x => x.Value("ebsEncryptionByDefault", enable));
    }
}
