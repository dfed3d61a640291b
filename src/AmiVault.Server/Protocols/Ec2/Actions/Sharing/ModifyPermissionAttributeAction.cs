using AmiVault.Catalog;

namespace AmiVault.Protocols.Ec2.Actions.Sharing;

/// <summary>
/// ModifyImageAttribute (launch permission) and ModifySnapshotAttribute (create volume permission): the owner shares
/// its image or snapshot with other accounts — they may then see it and store it, a shared image only with its
/// snapshots shared too — or stops sharing it. No other attribute is changed here. Registered once per kind.
/// </summary>
internal sealed class ModifyPermissionAttributeAction(Ec2PermissionAttribute permission, OwnedResources owned, IResourceSharing sharing) : IEc2Action
{
    public string Name => $"Modify{permission.Noun}Attribute";

    public IReadOnlyList<string> ResourceIds(Ec2Parameters parameters) => parameters.Get(permission.IdParameter) is { } id ? [id] : [];

    public async Task ExecuteAsync(Ec2Call call)
    {
        var p = call.Parameters;
        var resourceId = await owned.OwnedIdAsync(permission.Kind, call.AccountId, p.Required(permission.IdParameter), call.Aborted);
        var attribute = p.Get("Attribute");
        var otherAttribute = (attribute is not null && attribute != permission.Name)
            || p.Structure("Description") is not null || p.Get("Value") is not null || p.Structure("ImdsSupport") is not null || p.List("ProductCode").Count > 0;
        if (otherAttribute)
        {
            throw new Ec2Exception("UnsupportedOperation", $"Only the {permission.Name} attribute of a {permission.Kind.ResourceType} can be modified on this server.");
        }

        var (add, remove) = permission.Modifications(p) ?? throw new Ec2Exception("InvalidParameterCombination", "No attributes specified.");
        call.EndIfDryRun();
        await permission.ApplyAsync(sharing, call.AccountId, resourceId, add, remove, call.Aborted);
        await call.RespondTrueAsync();
    }
}
