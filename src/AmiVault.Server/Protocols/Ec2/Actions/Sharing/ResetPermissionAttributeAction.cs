using AmiVault.Catalog;

namespace AmiVault.Protocols.Ec2.Actions.Sharing;

/// <summary>
/// ResetImageAttribute (launchPermission) and ResetSnapshotAttribute (createVolumePermission): the owner shares the
/// resource with nobody again. Registered once per kind.
/// </summary>
internal sealed class ResetPermissionAttributeAction(Ec2PermissionAttribute permission, OwnedResources owned, IResourceSharing sharing) : IEc2Action
{
    public string Name => $"Reset{permission.Noun}Attribute";

    public IReadOnlyList<string> ResourceIds(Ec2Parameters parameters) => parameters.Get(permission.IdParameter) is { } id ? [id] : [];

    public async Task ExecuteAsync(Ec2Call call)
    {
        var id = call.Parameters.Required(permission.IdParameter);
        _ = call.Parameters.OneOf("Attribute", permission.Name) ?? throw Ec2Exception.Missing("Attribute");
        var resourceId = await owned.OwnedIdAsync(permission.Kind, call.AccountId, id, call.Aborted);
        call.EndIfDryRun();
        await sharing.ResetAsync(resourceId, call.Aborted);
        await call.RespondTrueAsync();
    }
}
