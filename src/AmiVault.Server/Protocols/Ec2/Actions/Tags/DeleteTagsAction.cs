using AmiVault.Catalog;

namespace AmiVault.Protocols.Ec2.Actions.Tags;

/// <summary>
/// DeleteTags on the caller's images and snapshots: a key alone removes the tag whatever its value, a key with a
/// value (even empty) only when the value matches, and no Tag.N at all removes every tag of the resources.
/// </summary>
internal sealed class DeleteTagsAction(ITagCatalog tags, OwnedResources owned) : IEc2Action
{
    public string Name => "DeleteTags";

    public IReadOnlyList<string> ResourceIds(Ec2Parameters parameters) => parameters.List("ResourceId");

    public async Task ExecuteAsync(Ec2Call call)
    {
        var removed = new List<KeyValuePair<string, string?>>();
        foreach (var tag in call.Parameters.Structures("Tag"))
        {
            var key = tag.Required("Key");
            var value = tag.Get("Value");
            Ec2Validation.TagKeyValue(key, value ?? "");
            removed.Add(new(key, value));
        }

        var resourceIds = await owned.TaggableResourcesAsync(call);
        call.EndIfDryRun();
        foreach (var resourceId in resourceIds)
        {
            await tags.DeleteAsync(resourceId, removed, call.Aborted);
        }

        await call.RespondTrueAsync();
    }
}
