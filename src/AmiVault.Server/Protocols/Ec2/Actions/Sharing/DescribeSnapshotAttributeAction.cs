using AmiVault.Catalog;

namespace AmiVault.Protocols.Ec2.Actions.Sharing;

/// <summary>
/// DescribeSnapshotAttribute: the accounts a snapshot is shared with (only its owner may ask), and its product codes
/// (always none).
/// </summary>
internal sealed class DescribeSnapshotAttributeAction(OwnedResources owned, IResourceSharing sharing) : IEc2Action
{
    private static readonly Ec2PermissionAttribute Permission = Ec2PermissionAttribute.CreateVolumePermission;

    public string Name => "DescribeSnapshotAttribute";

    public IReadOnlyList<string> ResourceIds(Ec2Parameters parameters) => parameters.Get("SnapshotId") is { } id ? [id] : [];

    public async Task ExecuteAsync(Ec2Call call)
    {
        var attribute = call.Parameters.OneOf("Attribute", "productCodes", Permission.Name) ?? throw Ec2Exception.Missing("Attribute");
        var snapshot = await owned.SnapshotAsync(call.AccountId, call.Parameters.Required("SnapshotId"), call.Aborted);
        call.EndIfDryRun();
        var accounts = attribute == Permission.Name ? await sharing.AccountsAsync(snapshot.SnapshotId, call.Aborted) : [];
        await call.RespondAsync(x =>
        {
            x.Value("snapshotId", snapshot.SnapshotId);
            if (attribute == Permission.Name)
            {
                Permission.Write(x, accounts);
            }
            else
            {
                x.Set("productCodes", Array.Empty<string>(), (_, _) => { });
            }
        });
    }
}
