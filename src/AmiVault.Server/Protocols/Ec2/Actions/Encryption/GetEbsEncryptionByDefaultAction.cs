using AmiVault.Catalog;

namespace AmiVault.Protocols.Ec2.Actions.Encryption;

/// <summary>GetEbsEncryptionByDefault: the account's setting, which decides whether restored snapshots are encrypted.</summary>
internal sealed class GetEbsEncryptionByDefaultAction(IAccountSettings settings) : IEc2Action
{
    public string Name => "GetEbsEncryptionByDefault";

    public async Task ExecuteAsync(Ec2Call call)
    {
        call.EndIfDryRun();
        var enabled = await settings.GetEncryptionByDefaultAsync(call.AccountId, call.Aborted);
        await call.RespondAsync(x => x.Value("ebsEncryptionByDefault", enabled).Value("sseType", enabled ? "sse-ebs" : "none"));
    }
}
