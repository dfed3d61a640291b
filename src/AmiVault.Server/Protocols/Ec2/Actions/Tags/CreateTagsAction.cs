using AmiVault.Catalog;

namespace AmiVault.Protocols.Ec2.Actions.Tags;

/// <summary>CreateTags on the caller's images and snapshots; all resources are checked before any is tagged.</summary>
internal sealed class CreateTagsAction(ITagCatalog tags, OwnedResources owned) : IEc2Action
{
    public string Name => "CreateTags";

    public IReadOnlyList<string> ResourceIds(Ec2Parameters parameters) => parameters.List("ResourceId");

    public async Task ExecuteAsync(Ec2Call call)
    {
        var newTags = call.Parameters.Tags();
        if (newTags.Count == 0)
        {
            throw Ec2Exception.Missing("Tag.1.Key");
        }

        var resourceIds = await owned.TaggableResourcesAsync(call);
        var existing = await tags.GetManyAsync(resourceIds, call.Aborted);
        foreach (var resourceId in resourceIds)
        {
            Ec2Validation.TagCount(resourceId, (existing.GetValueOrDefault(resourceId) ?? []).Select(t => t.Key), newTags);
        }

        call.EndIfDryRun();
        foreach (var resourceId in resourceIds)
        {
            await tags.SetAsync(call.AccountId, resourceId, newTags, call.Aborted);
        }

        await call.RespondTrueAsync();
    }
}
