using AmiVault.Catalog;

namespace AmiVault.Protocols.Ec2.Actions.Tags;

/// <summary>DescribeTags over the tags of the caller's own images and snapshots.</summary>
internal sealed class DescribeTagsAction(ITagCatalog tags, Ec2PageTokens pageTokens) : IEc2Action
{
    private static readonly Ec2FilterSet<TagRecord> Filters = new Ec2FilterSet<TagRecord>()
        .Add("key", t => t.Key)
        .Add("resource-id", t => t.ResourceId)
        .Add("resource-type", t => t.ResourceType)
        .Add("value", t => t.Value);

    public string Name => "DescribeTags";

    public async Task ExecuteAsync(Ec2Call call)
    {
        var pager = pageTokens.Start(call);
        var all = await tags.ListAsync(call.AccountId, call.Aborted);
        var byResource = all
            .GroupBy(t => t.ResourceId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<KeyValuePair<string, string>>)[.. g.Select(t => KeyValuePair.Create(t.Key, t.Value))], StringComparer.Ordinal);
        var matches = Filters.Compile(call.Parameters.Filters(), t => byResource[t.ResourceId]);
        call.EndIfDryRun();

        var (page, nextToken) = pager.Take(all.Where(matches), t => t.ResourceId + "\n" + t.Key);
        await call.RespondAsync(x => x
            .Set("tagSet", page, (x, t) => x.Value("resourceId", t.ResourceId).Value("resourceType", t.ResourceType).Value("key", t.Key).Value("value", t.Value))
            .Value("nextToken", nextToken));
    }
}
